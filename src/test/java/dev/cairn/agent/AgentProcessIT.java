package dev.cairn.agent;

import dev.cairn.storage.LocalStorage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.jobs.Job;
import dev.cairn.jobs.JobHistory;
import dev.cairn.testkit.PgCluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a real process, stopped by signals in the middle of a backup. A pg_dump wrapper waits
 * while a flag file exists, so the backup is reliably mid-flight: snapshot exported, leader transaction
 * open, partial archive on disk.
 */
class AgentProcessIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;
  private Path repo;
  private Path stall;
  private Path bin;
  private Path config;
  private String db;
  private Process agent;

  @BeforeEach
  void setUp() throws Exception {
    db = PG.newDatabase("proc");
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g;");
    repo = dir.resolve("repo");
    stall = dir.resolve("stall");
    bin = Files.createDirectories(dir.resolve("bin"));
    Path wrapper = bin.resolve("pg_dump");
    Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" != --version ]; then\n  while [ -f " + stall
        + " ]; do sleep 0.1; done\nfi\nexec " + PG.pgDump() + " \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    // every backup also runs pg_dumpall (roles and tablespaces), from the same directory
    Files.createSymbolicLink(bin.resolve("pg_dumpall"), PG.binDir().resolve("pg_dumpall"));
    config = dir.resolve("cairn.yaml");
    Files.writeString(config, "repository:\n  path: " + repo + "\npg_bin: " + bin + "\nhttp:\n  port: "
        + AgentIT.freePort() + "\nagent:\n  shutdown_grace: 8s\ndatabases:\n  - name: proc\n    url: "
        + PG.conninfo(db) + "\n    schedule: \"@yearly\"\n    max_age: 400d\n    jobs: 2\n");
  }

  @AfterEach
  void tearDown() {
    if (agent != null && agent.isAlive()) {
      agent.destroyForcibly();
    }
    // A wrapper orphaned by kill -9 would otherwise wait for the flag file forever.
    ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(bin.toString()))
        .forEach(ProcessHandle::destroyForcibly);
  }

  private Process startAgent(String logName) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.cairn.cli.Main",
        "agent", "--config", config.toString());
    pb.redirectErrorStream(true).redirectOutput(dir.resolve(logName).toFile());
    return pb.start();
  }

  private static void waitUntil(BooleanSupplier cond, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private List<Job> jobs() {
    return Files.exists(repo.resolve(JobHistory.KEY)) ? new JobHistory(LocalStorage.openForWrite(repo), 1000).read() : List.of();
  }

  private List<String> files(String suffix) {
    try (Stream<Path> s = Files.list(repo)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private void waitForBackupInFlight() throws InterruptedException {
    waitUntil(() -> jobs().stream().anyMatch(j -> j.state() == Job.State.RUNNING) && !files(".partial").isEmpty(),
        60, "a backup is running with a partial archive");
  }

  private String cairnSessions() {
    return PG.psql(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        + " AND application_name = 'cairn'").strip();
  }

  private void assertNoCairnSessionLeft() throws InterruptedException {
    try {
      waitUntil(() -> cairnSessions().equals("0"), 10, "the server has no cairn session left");
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + PG.psql(db, "SELECT string_agg(pid || ' '"
          + " || application_name || ' ' || coalesce(state, '') || ' ' || left(query, 80), '; ')"
          + " FROM pg_stat_activity WHERE datname = current_database()"));
    }
  }

  @Test
  void sigtermDuringABackupCancelsItCleansUpAndExitsWithinTenSeconds() throws Exception {
    Files.writeString(stall, "");
    agent = startAgent("agent.log");
    waitForBackupInFlight();
    long t0 = System.nanoTime();
    agent.destroy(); // SIGTERM
    assertTrue(agent.waitFor(10, TimeUnit.SECONDS), "the agent must exit within 10 s of SIGTERM; log:\n"
        + Files.readString(dir.resolve("agent.log")));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertEquals(List.of(), files(".partial"), "partial files are removed");
    assertEquals(List.of(), files(".cairn"), "nothing is published");
    Job job = jobs().get(jobs().size() - 1);
    assertEquals(Job.State.CANCELLED, job.state(), "recorded as cancelled: " + job);
    assertNoCairnSessionLeft();
    String log = Files.readString(dir.resolve("agent.log"));
    assertTrue(log.contains("stopping (signal)"), log);
    assertTrue(!log.contains("has been blocked"), "a Vert.x thread was blocked:\n" + log);
    System.out.println("agent stopped " + ms + " ms after SIGTERM");
  }

  @Test
  void killMinus9DuringABackupIsRecoveredAtTheNextStart() throws Exception {
    Files.writeString(stall, "");
    agent = startAgent("agent1.log");
    waitForBackupInFlight();
    String interrupted = jobs().stream().filter(j -> j.state() == Job.State.RUNNING).findFirst().orElseThrow().id();
    agent.destroyForcibly(); // SIGKILL: no hook runs
    assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
    tearDown();
    assertEquals(1, files(".partial").size(), "kill -9 leaves the partial archive behind");

    Files.delete(stall);
    agent = startAgent("agent2.log");
    try {
      waitUntil(() -> jobs().stream().anyMatch(j -> j.state() == Job.State.SUCCEEDED), 60, "the next backup succeeds");
    } catch (AssertionError e) {
      // the temp dir goes with the test: what the second agent said is the only clue
      throw new AssertionError(e.getMessage() + "; jobs: " + jobs() + "; agent2.log:\n"
          + Files.readString(dir.resolve("agent2.log")), e);
    }
    Job old = jobs().stream().filter(j -> j.id().equals(interrupted)).findFirst().orElseThrow();
    assertEquals(Job.State.FAILED, old.state(), old.toString());
    assertTrue(old.errorMessage().contains("kill -9"), old.errorMessage());
    assertEquals(List.of(), files(".partial"), "the leftover partial file is removed at start");
    assertEquals(1, files(".cairn").size());
    String log = Files.readString(dir.resolve("agent2.log"));
    assertTrue(log.contains("left by a backup that did not finish"), log);
    agent.destroy();
    assertTrue(agent.waitFor(10, TimeUnit.SECONDS));
    assertNoCairnSessionLeft();
  }

}
