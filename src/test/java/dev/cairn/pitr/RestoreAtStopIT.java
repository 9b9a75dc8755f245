package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.LocalStorage;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SIGTERM to {@code cairn restore --at} while its throwaway server runs, or while it restores into the target,
 * leaves no server and no directory behind and exits CANCELLED. As in {@link PitrTestStopIT}, the live server's
 * {@code recovery_min_apply_delay = 1h} travels in the first base backup: the throwaway server waits in recovery at
 * the first commit after it, so the signal reaches it while it runs. A second base backup without it recovers at
 * once, for the restore into the target, held by a pg_restore that waits on a file.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreAtStopIT {
  static final String CLUSTER = "atstop";
  static PgCluster pg;
  static Path work;
  static Path repo;
  static WalReceiver receiver;
  static String classpath;
  static PitrStore store;

  @BeforeAll
  static void streamAndBackUp() throws Exception {
    pg = PgCluster.startNew();
    pg.psql("postgres", "ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
    work = Files.createTempDirectory(Path.of("/tmp"), "cairn-at-stop-it-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    repo = work.resolve("repo");
    store = new PitrStore(LocalStorage.openForWrite(repo), CLUSTER);
    List<String> walGet = PitrIT.walGetCommand(work.resolve("cp"));
    classpath = walGet.get(walGet.indexOf("-cp") + 1);
    receiver = new WalReceiver(store, PitrIT.conn(pg.port()), "cairn_at_stop", work.resolve("spool"), null).start();
    new BaseBackup(store, PitrIT.conn(pg.port()), "cairn_at_stop", null, Clock.systemUTC()).run();
    // the commit the restored server waits at
    pg.psql("postgres", "CREATE TABLE held (id int); INSERT INTO held VALUES (1); SELECT pg_switch_wal();");
    PitrIT.waitForWalOf(pg.port(), store);
  }

  @AfterAll
  static void stop() {
    try {
      if (receiver != null) {
        receiver.close();
      }
      if (work != null) { // a failed test's throwaway server must not outlive the run
        PitrTestStopIT.processesNaming(work).forEach(ProcessHandle::destroyForcibly);
      }
    } finally {
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
  void sigtermWhileItsThrowawayServerRunsStopsItRemovesItsDirectoryAndExitsCancelled() throws Exception {
    String target = pg.newDatabase("at_target");
    Path own = Files.createDirectories(work.resolve("tmp-cli"));
    try (CairnProcess p = CairnProcess.start(work.resolve("cli.log"), List.of("-Djava.io.tmpdir=" + own,
        "-Dcairn.classpath=" + classpath), "restore", "--repo", repo, "--at", "latest", "--cluster", CLUSTER,
        "--database", "postgres", "--db", pg.conninfo(target) + "?sslmode=disable")) {
      Path dir = PitrTestStopIT.awaitServer(own, 30);
      long t0 = System.nanoTime();
      p.interrupt();
      int code = p.waitFor(20);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertEquals(9, code, "CANCELLED's exit code: " + p.log());
      assertTrue(p.log().contains("cairn: CANCELLED: restore --at of cluster " + CLUSTER + " as of latest was cancelled"
          + " by a signal; nothing was restored into database " + target), p.log());
      PitrTestStopIT.assertLeftNothing(dir);
      assertEquals(List.of(), PitrTestStopIT.throwaway(own), "no throwaway cluster or scratch repository is left");
      assertEquals("0", pg.psql(target, "SELECT count(*) FROM pg_class WHERE relname = 'held'"), "the target is untouched");
      assertTrue(ms < 12_000, "the clean-up is bounded: " + ms + " ms; " + p.log());
    }
  }

  @Test
  @Order(2)
  void sigtermDuringTheRestoreIntoTheTargetCancelsItRemovesEverythingAndSaysTheTargetIsLeftPartlyRestored()
      throws Exception {
    pg.psql("postgres", "ALTER SYSTEM RESET recovery_min_apply_delay");
    new BaseBackup(store, PitrIT.conn(pg.port()), "cairn_at_stop", null, Clock.systemUTC()).run();
    pg.psql("postgres", "INSERT INTO held VALUES (2); SELECT pg_switch_wal();");
    PitrIT.waitForWalOf(pg.port(), store);
    String target = pg.newDatabase("at_target");
    Path own = Files.createDirectories(work.resolve("tmp-copy"));
    Path flag = Files.createFile(work.resolve("stall"));
    Path reached = work.resolve("pre-data");
    Path bin = heldPgRestore(work.resolve("bin"), flag, reached);
    try (CairnProcess p = CairnProcess.start(work.resolve("copy.log"), List.of("-Djava.io.tmpdir=" + own,
        "-Dcairn.classpath=" + classpath), "restore", "--repo", repo, "--at", "latest", "--cluster", CLUSTER,
        "--database", "postgres", "--db", pg.conninfo(target) + "?sslmode=disable", "--pg-bin", bin)) {
      p.await(() -> Files.exists(reached), 60, "pg_restore of the pre-data section waits");
      p.interrupt();
      int code = p.waitFor(20);
      assertEquals(9, code, "CANCELLED's exit code: " + p.log());
      // the restore's own account of its cancel follows (here the stopped pg_restore's)
      assertTrue(p.log().contains("cairn: CANCELLED: restore --at of cluster " + CLUSTER + " as of latest was cancelled"
          + " by a signal: "), p.log());
      assertTrue(p.log().contains("; database " + target + " is left partly restored\n"), p.log());
      assertTrue(p.log().contains("hint: restore again with --clean"), p.log());
      assertEquals(List.of(), PitrTestStopIT.processesNaming(own).stream().map(h -> h.info().commandLine().orElse(""))
          .toList(), "no process of the command is left");
      // but lz4-java's native library: File.deleteOnExit runs after the shutdown hooks, which the halt that keeps
      // CANCELLED's exit code ends (lz4-java removes those older than an hour as it loads)
      try (Stream<Path> left = Files.list(own)) {
        assertEquals(List.of(), left.filter(f -> !f.getFileName().toString().startsWith("liblz4-java-")).toList(),
            "no throwaway cluster, scratch repository or working directory is left");
      }
    } finally {
      Files.deleteIfExists(flag);
    }
  }

  @Test
  @Order(3)
  void sigtermDuringTheCopyOutOfTheThrowawayServerStopsItAndLeavesTheTargetUntouched() throws Exception {
    String target = pg.newDatabase("at_target");
    Path own = Files.createDirectories(work.resolve("tmp-dump"));
    Path flag = Files.createFile(work.resolve("stall-dump"));
    Path bin = CairnProcess.stalledTool(work.resolve("bin-dump"), "pg_dump", pg.pgDump(), flag);
    try (CairnProcess p = CairnProcess.start(work.resolve("dump.log"), List.of("-Djava.io.tmpdir=" + own,
        "-Dcairn.classpath=" + classpath), "restore", "--repo", repo, "--at", "latest", "--cluster", CLUSTER,
        "--database", "postgres", "--db", pg.conninfo(target) + "?sslmode=disable", "--pg-bin", bin)) {
      String wrapper = bin.resolve("pg_dump").toString();
      p.await(() -> PitrTestStopIT.processesNaming(own).stream().anyMatch(h -> h.info().arguments()
          .map(a -> a.length > 1 && a[0].equals(wrapper) && !a[1].equals("--version")).orElse(false)), 60,
          "pg_dump of the throwaway server's database waits");
      Path dir = PitrTestStopIT.awaitServer(own, 5);
      p.interrupt();
      int code = p.waitFor(20);
      assertEquals(9, code, "CANCELLED's exit code: " + p.log());
      assertTrue(p.log().contains("cairn: CANCELLED: restore --at of cluster " + CLUSTER + " as of latest was cancelled"
          + " by a signal; nothing was restored into database " + target), p.log());
      PitrTestStopIT.assertLeftNothing(dir);
      assertEquals(List.of(), PitrTestStopIT.processesNaming(own).stream().map(h -> h.info().commandLine().orElse(""))
          .toList(), "no process of the command is left");
      assertEquals(List.of(), PitrTestStopIT.throwaway(own), "no throwaway cluster or scratch repository is left");
      assertEquals("0", pg.psql(target, "SELECT count(*) FROM pg_class WHERE relname = 'held'"), "the target is untouched");
    } finally {
      Files.deleteIfExists(flag);
    }
  }

  /**
   * pg_dump, pg_dumpall and a pg_restore that, for a run into the target (--exit-on-error first), creates
   * {@code reached} and waits while {@code flag} exists.
   */
  static Path heldPgRestore(Path dir, Path flag, Path reached) throws java.io.IOException {
    Files.createDirectories(dir);
    for (String tool : new String[] {"pg_dump", "pg_dumpall"}) {
      Files.createSymbolicLink(dir.resolve(tool), pg.binDir().resolve(tool));
    }
    Path wrapper = dir.resolve("pg_restore");
    Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" = --exit-on-error ]; then\n  touch " + reached + "\n  while [ -f "
        + flag + " ]; do sleep 0.05; done\nfi\nexec " + pg.binDir().resolve("pg_restore") + " \"$@\"\n");
    assertTrue(wrapper.toFile().setExecutable(true));
    return dir;
  }
}
