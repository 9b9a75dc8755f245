package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restore that pg_restore cannot finish says why (every error, its detail and hint), and what it left behind. */
class RestoreFailureIT {
  private static final PgCluster PG = PgCluster.shared();
  private static String src;

  @TempDir Path repo;

  /**
   * The classic post-data failure: an index on a function that calls another one unqualified. pg_restore
   * runs with an empty search_path, so the index build fails, with a long CONTEXT after the ERROR line.
   */
  @BeforeAll
  static void source() {
    src = PG.newDatabase("badindex");
    PG.psql(src, "CREATE FUNCTION inner_f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';"
        + " CREATE FUNCTION outer_f(x int) RETURNS int LANGUAGE sql IMMUTABLE AS $$SELECT\n  inner_f(\n    x\n  )$$;"
        + " CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t SELECT g, g FROM generate_series(1, 100) g;"
        + " CREATE INDEX t_f ON t (outer_f(v));");
  }

  private String backup() {
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo);
    assertEquals(0, b.code(), b.toString());
    return b.lastLine();
  }

  @Test
  void failedPgRestoreShowsItsErrorLineWithTheHintAndNoGuessAboutRoles() {
    String id = backup();
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(src + "_r1"), "--create",
        "--jobs", "1");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("PG_RESTORE_FAILED") && r.err().contains("--section=post-data"), r.err());
    assertTrue(r.err().contains("ERROR:  function inner_f(integer) does not exist"), r.err());
    assertTrue(r.err().contains("HINT:  No function matches"), r.err());
    assertTrue(r.err().contains("Command was: CREATE INDEX t_f ON public.t"), r.err());
    assertFalse(r.err().contains("roles or tablespaces"), r.err());
  }
}
