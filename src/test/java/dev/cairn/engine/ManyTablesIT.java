package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 item 3: thousands of tables back up and restore; no per-table recursion can overflow a stack. */
class ManyTablesIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;

  @Test
  @Timeout(180)
  void backupAndRestoreOf2200TablesCompletes() {
    String db = PG.newDatabase("many");
    PG.psql(db, "DO $$ BEGIN FOR i IN 1..2200 LOOP EXECUTE format('CREATE TABLE public.t%s (id int)', i); END LOOP;"
        + " END $$; INSERT INTO t1 VALUES (1); INSERT INTO t2200 VALUES (2), (3);");
    long t0 = System.nanoTime();
    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo);
    assertEquals(0, backup.code(), backup.toString());
    String id = backup.lastLine();
    String restored = db + "_r";
    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(restored), "--create");
    assertEquals(0, restore.code(), restore.toString());
    assertEquals("2200", PG.psql(restored, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").strip());
    assertEquals("1 5", PG.psql(restored, "SELECT (SELECT sum(id) FROM t1) || ' ' || (SELECT sum(id) FROM t2200)")
        .strip());
    assertTrue(Duration.ofNanos(System.nanoTime() - t0).toSeconds() < 150, "too slow");
  }
}
