package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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

  @Test
  void failedRestoreSaysTheTargetIsLeftPartlyRestoredAndOffersClean() {
    String id = backup();
    String dst = src + "_r2";
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create");
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("database " + dst + " is left partly restored"), r.err());
    assertTrue(r.err().contains("hint: ") && r.err().contains("restore again with --clean"), r.err());
    assertEquals("100", PG.psql(dst, "SELECT count(*) FROM t").strip(), "the data loaded before the failure stays");
  }

  @Test
  void refusedRestoreSaysNothingAboutAPartialTarget() {
    String id = backup();
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(src));
    assertEquals(8, r.code(), r.toString());
    assertFalse(r.err().contains("partly restored"), r.err());
  }

  @Test
  void failedRestoreAndFailedDryRunRemoveTheirWorkingDirectories() throws Exception {
    String id = backup();
    Path tmp = Files.createDirectories(repo.resolve("tmp"));
    // a post-data failure, then a preflight failure (the database exists without --clean), dry run and not
    for (String[] extra : List.of(new String[] {"--db", PG.conninfo(src + "_r3"), "--create"},
        new String[] {"--db", PG.conninfo(src), "--create"},
        new String[] {"--db", PG.conninfo(src), "--create", "--dry-run"})) {
      List<Object> args = new ArrayList<>(List.of("restore", id, "--repo", repo));
      args.addAll(List.of(extra));
      try (CairnProcess p = CairnProcess.start(repo.resolve("log"), List.of("-Djava.io.tmpdir=" + tmp),
          args.toArray())) {
        assertTrue(p.waitFor(120) != 0, p.log());
      }
      assertEquals(List.of(), workingDirectories(tmp), String.join(" ", extra));
    }
  }

  @Test
  void interruptedRestoreAndDryRunRemoveTheirWorkingDirectories() throws Exception {
    String id = backup();
    // the restore itself, then its dry run
    for (String mode : List.of("--jobs=2", "--dry-run")) {
      Path tmp = Files.createDirectories(repo.resolve("tmp" + mode));
      Path flag = Files.createFile(repo.resolve("stall" + mode));
      Path bin = CairnProcess.stalledTool(repo.resolve("bin"), "pg_restore", PG.pgRestore(), flag);
      try (CairnProcess p = CairnProcess.start(repo.resolve("log" + mode), List.of("-Djava.io.tmpdir=" + tmp),
          "restore", id, "--repo", repo, "--db", PG.conninfo(src + "_int"), "--create", "--pg-bin", bin, mode)) {
        // mid-flight: the schema extracted into the working directory, pg_restore waiting on the flag
        p.await(() -> workingDirectories(tmp).stream().anyMatch(d -> Files.exists(d.resolve("schema.dump")))
            && p.hasChildren(), 60, "a stalled pg_restore");
        p.interrupt();
        p.waitFor(60);
      }
      assertEquals(List.of(), workingDirectories(tmp), mode);
    }
  }

  private static List<Path> workingDirectories(Path tmp) {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(d -> d.getFileName().toString().startsWith("cairn-")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
