package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 13: a TRUNCATE queued behind the backup's snapshot lock on a table not copied yet must
 * not make the worker's COPY queue behind it (a stall nobody detects, with the application blocked): the
 * backup gives way within lock_timeout, naming the TRUNCATE's session, and the TRUNCATE then runs.
 */
class LockQueueIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;

  private static String one(String db, String sql) {
    return PG.psql(db, sql).strip();
  }

  private static void signal(String sig, String pid) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + sig, pid).start().waitFor());
  }

  @Test
  @Timeout(180)
  void aTruncateQueuedBehindTheBackupFailsTheBackupWithinLockTimeoutNamingItsSession() throws Exception {
    String db = PG.newDatabase("lockqueue");
    PG.psql(db, "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1500000) g;"
        + " CREATE TABLE small (id int); INSERT INTO small VALUES (1);");
    // pg_dump waits: only the COPY workers take their locks, so the test controls who queues where
    Path flag = Files.createFile(dir.resolve("stall"));
    Path bin = CairnProcess.stalledTool(dir.resolve("bin"), "pg_dump", PG.pgDump(), flag);
    try (CairnProcess backup = CairnProcess.start(dir.resolve("backup.log"), "backup", "--db", PG.conninfo(db),
            "--repo", dir.resolve("repo"), "--pg-bin", bin, "--jobs", 1, "--lock-timeout", "2s");
        Connection app = PG.connect(db)) {
      String[] worker = {""};
      backup.await(() -> !(worker[0] = one(db, "SELECT pid FROM pg_stat_activity WHERE state = 'active'"
          + " AND query LIKE 'COPY %big%'")).isEmpty(), 60, "the worker copies the big table");
      // Held mid-COPY, so small is certainly not copied yet when the TRUNCATE queues.
      signal("STOP", worker[0]);
      CompletableFuture<Void> truncate;
      String appPid;
      try (Statement st = app.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        appPid = rs.getString(1);
      }
      try {
        truncate = CompletableFuture.runAsync(() -> {
          try (Statement st = app.createStatement()) {
            st.execute("TRUNCATE small");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        backup.await(() -> one(db, "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid = " + appPid
            + " AND relation = 'small'::regclass").equals("1"), 30, "the TRUNCATE waits for the backup's lock");
      } finally {
        signal("CONT", worker[0]);
      }
      long t0 = System.nanoTime();
      int code = backup.waitFor(30);
      String log = backup.log();
      assertEquals(3, code, log);
      assertTrue(log.contains("LOCK_TIMEOUT") && log.contains("public.small") && log.contains("pid " + appPid)
          && log.contains("TRUNCATE small"), log);
      assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 20, "not within lock_timeout: " + log);
      truncate.get(20, TimeUnit.SECONDS);
      assertEquals("0", one(db, "SELECT count(*) FROM small"));
    } finally {
      Files.deleteIfExists(flag);
    }
  }
}
