package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server restart in the middle of a job fails it with the reason in the error line, not only "connection failed". */
class ServerRestartIT {
  private static PgCluster pg;
  private static String src;

  @TempDir Path repo;

  @BeforeAll
  static void cluster() {
    pg = PgCluster.startNew();
    src = pg.newDatabase("restart");
    // Large enough that its COPY is still running when the restart comes.
    pg.psql(src, "CREATE TABLE big (id int, v text);"
        + " INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, 1500000) g;");
  }

  @AfterAll
  static void stop() {
    pg.close();
  }

  /** Runs the command, restarts the server once a query like {@code pattern} is running, and returns the run. */
  private static CairnCli.Run restartDuring(String pattern, Object... args) throws Exception {
    CompletableFuture<CairnCli.Run> run = CompletableFuture.supplyAsync(() -> CairnCli.run(args));
    try (Connection c = pg.connect("postgres"); Statement st = c.createStatement()) {
      boolean seen = false;
      while (!seen && !run.isDone()) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE state = 'active'"
            + " AND query LIKE '" + pattern + "'")) {
          rs.next();
          seen = rs.getInt(1) > 0;
        }
      }
      assertTrue(seen, "the query never ran: " + (run.isDone() ? run.get() : ""));
    }
    pg.restart();
    return run.get(120, TimeUnit.SECONDS);
  }

  @Test
  void restartDuringABackupSaysTheServerWentAway() throws Exception {
    CairnCli.Run r = restartDuring("COPY %big%TO STDOUT%", "backup", "--db", pg.conninfo(src), "--repo", repo);
    assertTrue(r.code() == 3 || r.code() == 4, r.toString()); // a COPY or pg_dump (running alongside) fails first
    // which session notices first varies: pg_dump's FATAL line ("FATAL:  terminating ..."), the leader's
    // (vertx-pg-client keeps the server's "FATAL: terminating connection ..."), or a COPY's lost session,
    // after which the server is asked when it restarted
    assertTrue(r.err().contains("FATAL:") || r.err().contains("the server restarted at "), r.err());
  }

  @Test
  void restartDuringARestoresCopyNamesTheRestart() throws Exception {
    CairnCli.Run b = CairnCli.run("backup", "--db", pg.conninfo(src), "--repo", repo);
    assertEquals(0, b.code(), b.toString());
    CairnCli.Run r = restartDuring("COPY %big%FROM STDIN%", "restore", b.lastLine(), "--repo", repo,
        "--db", pg.conninfo(src + "_r"), "--create");
    assertEquals(3, r.code(), r.toString());
    // a session that reads the server's FATAL keeps it; pgjdbc cannot after a failed COPY write (over TLS it is
    // never seen): then the server is asked when it restarted. Which session notices first varies.
    assertTrue(r.err().contains("FATAL: terminating connection") || r.err().contains("the server restarted at "),
        r.err());
    assertTrue(r.err().contains("hint: the server shut down or restarted"), r.err());
  }
}
