package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.agent.Agent;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.HttpConfig;
import dev.cairn.storage.LocalStorage;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A PITR restore test stopped while its throwaway server runs (by its timeout, by a signal to {@code cairn pitr
 * test}, by the agent's stop) leaves no server and no directory behind and is recorded as not passed. The live
 * server has {@code recovery_min_apply_delay = 1h} in its {@code postgresql.auto.conf}, which the base backup
 * carries: the restored server then waits in recovery at the sentinel's commit, so each test is stopped while its
 * server runs, not by luck of timing. The throwaway clusters go to a directory of this class
 * ({@code java.io.tmpdir}), so what is left is this class's. The agent streams throughout and stops last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrTestStopIT {
  static final String CLUSTER = "stopme";
  static final String OPERATOR = "pitr-stop-operator-token-0123456789abcdefgh";
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  static PgCluster pg;
  static Path work;
  static Path tmp;
  static Path config;
  static String savedTmp;
  static Agent agent;
  static int port;
  static PitrStore store;
  static ExecutorService side;

  @BeforeAll
  static void startAgent() throws Exception {
    pg = PgCluster.startNew();
    pg.psql("postgres", "ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
    work = Files.createTempDirectory(Path.of("/tmp"), "cairn-pitr-stop-it-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    tmp = Files.createDirectories(work.resolve("tmp"));
    savedTmp = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    List<String> walGet = PitrIT.walGetCommand(work.resolve("cp"));
    System.setProperty("cairn.classpath", walGet.get(walGet.indexOf("-cp") + 1));
    port = PitrIT.freePort();
    Path repo = work.resolve("repo");
    config = work.resolve("cairn.yaml");
    Files.writeString(config, "repository:\n  path: " + repo + "\nhttp:\n  port: " + port + "\n  tokens:\n"
        + "    - {name: operator, role: operator, sha256: " + HttpConfig.sha256Hex(OPERATOR) + "}\n"
        + "agent:\n  run_missed_on_start: false\n"
        + "clusters:\n  - name: " + CLUSTER + "\n    url: postgresql://postgres@127.0.0.1:" + pg.port()
        + "/postgres?replication=true&sslmode=disable\n"
        + "    base_backup: {schedule: \"@yearly\"}\n"
        + "    wal: {slot: cairn_stop_it, max_lag: 5m, spool: " + work.resolve("spool") + "}\n"
        + "    restore_test: {timeout: 5m}\n");
    agent = Agent.start(ConfigLoader.load(config, Map.of(), work), Clock.systemUTC()).await(60, TimeUnit.SECONDS);
    store = new PitrStore(LocalStorage.open(repo), CLUSTER);
    PitrIT.waitUntil(() -> !store.bases().isEmpty(), 60, "the agent's first base backup");
    side = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (side != null) {
        side.shutdownNow();
      }
      if (agent != null) {
        agent.stop("test").await(30, TimeUnit.SECONDS);
      }
    } finally {
      if (work != null) { // a failed test's throwaway server must not outlive the run
        processesNaming(work).forEach(ProcessHandle::destroyForcibly);
      }
      System.setProperty("java.io.tmpdir", savedTmp);
      System.clearProperty("cairn.classpath");
      if (pg != null) {
        pg.close();
      }
      if (work != null) {
        PitrRestore.deleteTree(work);
      }
    }
  }

  @Test
  @Order(1)
  void aTestPastItsTimeoutDuringTheRestoreFailsNamingTheClusterAndTimeoutAndLeavesNoServer() throws Exception {
    Future<CairnCli.Run> run = side.submit(() -> CairnCli.run("pitr", "test", "--config", config, "--cluster", CLUSTER,
        "--timeout", "10s"));
    Path dir = awaitServer(tmp, 10);
    long t0 = System.nanoTime();
    CairnCli.Run r = run.get(20, TimeUnit.SECONDS);
    assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(12), "the timeout bounds the restore");
    assertEquals(9, r.code(), "CANCELLED: " + r);
    assertTrue(r.err().contains("the restore test of cluster " + CLUSTER + " ran past its timeout of 10 s: the restore"
        + " to latest from base backup "), r.toString());
    assertLeftNothing(dir);
    PitrTestResult last = PitrTestLog.last(store).orElseThrow();
    assertFalse(last.passed());
    assertEquals("CANCELLED", last.errorCode());
    assertTrue(last.message().contains("ran past its timeout of 10 s"), last.message());
  }

  @Test
  @Order(2)
  void sigtermToARunningPitrTestStopsItsServerRemovesItsDirectoryAndRecordsItCancelled() throws Exception {
    Path own = Files.createDirectories(work.resolve("tmp-cli"));
    try (CairnProcess p = CairnProcess.start(work.resolve("cli.log"), List.of("-Djava.io.tmpdir=" + own,
        "-Dcairn.classpath=" + System.getProperty("cairn.classpath")), "pitr", "test", "--config", config, "--cluster",
        CLUSTER, "--timeout", "5m")) {
      Path dir = awaitServer(own, 20);
      p.interrupt();
      p.waitFor(15);
      assertLeftNothing(dir);
      PitrTestResult last = PitrTestLog.last(store).orElseThrow();
      assertFalse(last.passed(), p.log());
      assertEquals("CANCELLED", last.errorCode());
      assertEquals("the restore test of cluster " + CLUSTER + " was cancelled by a signal", last.message());
    }
  }

  @Test
  @Order(3)
  void theAgentsStopCancelsARunningRestoreTestWithinItsBoundAndLeavesNoServer() throws Exception {
    HttpRequest start = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/pitr/" + CLUSTER
        + "/test")).header("Authorization", "Bearer " + OPERATOR).POST(HttpRequest.BodyPublishers.noBody()).build();
    HttpResponse<String> started = HTTP.send(start, HttpResponse.BodyHandlers.ofString());
    assertEquals(202, started.statusCode(), started.body());
    Path dir = awaitServer(tmp, 20);
    long t0 = System.nanoTime();
    agent.stop("test").await(30, TimeUnit.SECONDS);
    agent = null;
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(ms < PitrVerticle.STOP_WAIT.toMillis() + 5000, "the stop is bounded: " + ms + " ms");
    assertLeftNothing(dir);
    PitrTestResult last = PitrTestLog.last(store).orElseThrow();
    assertFalse(last.passed());
    assertEquals("CANCELLED", last.errorCode());
    assertEquals("the restore test of cluster " + CLUSTER + " was cancelled as the agent stopped", last.message());
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** The throwaway cluster under {@code parent} once its server runs (its postmaster, in recovery). */
  static Path awaitServer(Path parent, int seconds) throws InterruptedException {
    Path[] found = new Path[1];
    PitrIT.waitUntil(() -> {
      found[0] = throwaway(parent).stream().filter(d -> Files.exists(d.resolve("data/postmaster.pid"))
          && processesNaming(d).stream().anyMatch(p -> p.info().command().orElse("").endsWith("/postgres")))
          .findFirst().orElse(null);
      return found[0] != null;
    }, seconds, "a throwaway server runs in " + parent);
    return found[0];
  }

  /** The throwaway clusters' directories under {@code parent}, and restore --at's scratch repository (cairn-at-repo-*). */
  static List<Path> throwaway(Path parent) {
    try (Stream<Path> s = Files.list(parent)) {
      return s.filter(d -> d.getFileName().toString().startsWith("cairn-at-")).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static List<ProcessHandle> processesNaming(Path dir) {
    String d = dir + "/";
    return ProcessHandle.allProcesses().filter(p -> p.info().arguments().map(a -> Arrays.stream(a)
        .anyMatch(x -> x.contains(d))).orElse(false)).toList();
  }

  static void assertLeftNothing(Path dir) {
    assertEquals(List.of(), processesNaming(dir).stream().map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
        .toList(), "no process of the throwaway cluster " + dir + " is left");
    assertFalse(Files.exists(dir), dir + " is removed");
  }
}
