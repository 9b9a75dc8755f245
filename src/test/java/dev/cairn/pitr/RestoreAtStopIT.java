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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to {@code cairn restore --at} while its throwaway server runs leaves no server and no directory behind.
 * As in {@link PitrTestStopIT}, the live server's {@code recovery_min_apply_delay = 1h} travels in the base backup:
 * the throwaway server waits in recovery at the first commit after it, so the signal reaches it while it runs.
 */
class RestoreAtStopIT {
  static final String CLUSTER = "atstop";
  static PgCluster pg;
  static Path work;
  static Path repo;
  static WalReceiver receiver;
  static String classpath;

  @BeforeAll
  static void streamAndBackUp() throws Exception {
    pg = PgCluster.startNew();
    pg.psql("postgres", "ALTER SYSTEM SET recovery_min_apply_delay = '1h'");
    work = Files.createTempDirectory(Path.of("/tmp"), "cairn-at-stop-it-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    repo = work.resolve("repo");
    PitrStore store = new PitrStore(LocalStorage.openForWrite(repo), CLUSTER);
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
}
