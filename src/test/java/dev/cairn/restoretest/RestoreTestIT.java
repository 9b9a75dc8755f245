package dev.cairn.restoretest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.bus.Bus;
import dev.cairn.compress.CompressorVerticle;
import dev.cairn.config.RestoreTestConfig;
import dev.cairn.engine.Pools;
import dev.cairn.storage.Repository;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.Fixtures;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore tests against a real server: one cluster of its own for the class, since one test changes
 * template0 (an event trigger that alters restored rows) and puts it back.
 */
class RestoreTestIT {
  private static PgCluster pg;
  private static Vertx vertx;
  private static Pools pools;

  @TempDir Path repo;

  @BeforeAll
  static void start() throws Exception {
    pg = PgCluster.startNew();
    vertx = Vertx.vertx();
    Bus.register(vertx);
    CompressorVerticle.deploy(vertx).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    pools = Pools.create(vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    pools.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    pg.close();
  }

  private String backup(String db) {
    CairnCli.Run b = CairnCli.run("backup", "--db", pg.conninfo(db), "--repo", repo, "--split-size", "1MB");
    assertEquals(0, b.code(), b.toString());
    return b.lastLine();
  }

  private List<String> scratchDatabases() {
    String out = pg.psql("postgres", "SELECT datname FROM pg_database WHERE datname LIKE 'cairn\\_test\\_%'").strip();
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  private RestoreTestResult test(String id, List<RestoreTestConfig.SqlCheck> checks, boolean keep) throws Exception {
    return test(id, checks, keep, Duration.ofMinutes(5));
  }

  private RestoreTestResult test(String id, List<RestoreTestConfig.SqlCheck> checks, boolean keep, Duration timeout)
      throws Exception {
    RestoreTester.Options o = new RestoreTester.Options(pg.conninfo("postgres"), List.of(), 0, checks, true, keep,
        timeout, 2, null);
    return vertx.<RestoreTestResult>executeBlocking(() -> null).compose(x -> new RestoreTester(vertx, pools, o,
        Clock.systemUTC()).run(Repository.open(repo), id)).toCompletionStage().toCompletableFuture()
        .get(5, TimeUnit.MINUTES);
  }

  @Test
  void restoreTestOfTheFidelityFixturePassesRecordsRestoreTestedAndDropsItsScratchDatabase() {
    String id = backup(Fixtures.loadFidelity(pg));
    CairnCli.Run t = CairnCli.run("test", id, "--repo", repo, "--target", pg.conninfo("postgres"));
    assertEquals(0, t.code(), t.toString());
    assertTrue(t.out().contains("restore test of " + id + " passed"), t.out());
    assertTrue(t.out().contains("row counts and content digests") && t.out().contains("schema (pg_dump --schema-only)")
        && t.out().contains("amcheck of "), t.out());
    assertEquals(List.of(), scratchDatabases(), "the scratch database is dropped");

    JsonObject listed = new JsonObject(CairnCli.run("list", "--repo", repo, "--json").out())
        .getJsonArray("backups").getJsonObject(0).getJsonObject("verification");
    assertEquals("restore-tested", listed.getString("state"), listed.encode());
    assertTrue(listed.getJsonObject("restoreTest").getLong("restoreMs") > 0, listed.encode());
  }

  @Test
  void aValueChangedWhileLoadingFailsTheTestNamingTheTableAndTheScratchDatabaseIsGone() {
    String db = pg.newDatabase("tamper");
    pg.psql(db, "CREATE TABLE ledger (id int PRIMARY KEY, amount int);"
        + " INSERT INTO ledger SELECT g, g * 10 FROM generate_series(1, 500) g;"
        + " CREATE TABLE other (id int); INSERT INTO other VALUES (1);");
    String id = backup(db);
    // template0 is what the scratch database is created from: an event trigger there adds a BEFORE INSERT
    // trigger to every new table named ledger, which changes one value of one row as COPY loads it
    pg.psql("postgres", "UPDATE pg_database SET datallowconn = true WHERE datname = 'template0'");
    try {
      pg.psql("template0", String.join("\n",
          "CREATE FUNCTION public.bump() RETURNS trigger LANGUAGE plpgsql AS $$",
          "BEGIN IF NEW.id = 7 THEN NEW.amount := NEW.amount + 1; END IF; RETURN NEW; END $$;",
          "CREATE FUNCTION public.arm() RETURNS event_trigger LANGUAGE plpgsql AS $$",
          "DECLARE r record; BEGIN",
          "  FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE object_type = 'table' LOOP",
          "    IF r.object_identity = 'public.ledger' THEN",
          "      EXECUTE 'CREATE TRIGGER bump BEFORE INSERT ON public.ledger FOR EACH ROW EXECUTE FUNCTION public.bump()';",
          "    END IF;",
          "  END LOOP;",
          "END $$;",
          "CREATE EVENT TRIGGER arm ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.arm();"));
      CairnCli.Run t = CairnCli.run("test", id, "--repo", repo, "--target", pg.conninfo("postgres"));
      assertEquals(8, t.code(), t.toString());
      assertTrue(t.err().contains("RESTORE_MISMATCH") && t.err().contains("table public.ledger: content differs"),
          t.err());
      assertFalse(t.out().contains("public.other"), "the untouched table is no problem: " + t.out());
      assertEquals(List.of(), scratchDatabases(), "the scratch database is dropped after a failure too");
      JsonObject v = new JsonObject(CairnCli.run("list", "--repo", repo, "--json").out())
          .getJsonArray("backups").getJsonObject(0).getJsonObject("verification");
      assertEquals("unverified", v.getString("state"), "a difference the target made says nothing of the archive");
    } finally {
      pg.psql("template0", "DROP EVENT TRIGGER arm; DROP FUNCTION public.arm(); DROP FUNCTION public.bump();");
      pg.psql("postgres", "UPDATE pg_database SET datallowconn = false WHERE datname = 'template0'");
    }
  }

  @Test
  void aFailingSqlCheckFailsTheTestAndKeepOnFailureKeepsTheScratchDatabase() throws Exception {
    String db = pg.newDatabase("checks");
    pg.psql(db, "CREATE TABLE orders (id int PRIMARY KEY, total int); INSERT INTO orders SELECT g, g FROM"
        + " generate_series(1, 20) g;");
    String id = backup(db);
    RestoreTestConfig.SqlCheck good = new RestoreTestConfig.SqlCheck("twenty orders", "select count(*) from orders",
        "= 20");
    RestoreTestConfig.SqlCheck bad = new RestoreTestConfig.SqlCheck("big orders",
        "select count(*) from orders where total > 100", "> 0");

    RestoreTestResult passed = test(id, List.of(good), false);
    assertTrue(passed.passed(), passed.toString());
    assertTrue(passed.checked().contains("1 SQL check"), passed.toString());

    RestoreTestResult failed = test(id, List.of(good, bad), false);
    assertFalse(failed.passed());
    assertEquals("RESTORE_MISMATCH", failed.errorCode());
    assertEquals(List.of("check \"big orders\": returned 0, expected > 0"), failed.problems());
    assertNull(failed.kept());
    assertEquals(List.of(), scratchDatabases());

    RestoreTestResult kept = test(id, List.of(bad), true);
    assertFalse(kept.passed());
    assertEquals(List.of(kept.scratchDatabase()), scratchDatabases(), "kept on failure: " + kept.kept());
    assertEquals("20", pg.psql(kept.scratchDatabase(), "SELECT count(*) FROM orders").strip());
    pg.dropDatabase(kept.scratchDatabase());
  }

  @Test
  void aTestPastItsTimeoutIsStoppedAndFailsAndLeavesNoScratchDatabase() throws Exception {
    String db = pg.newDatabase("slow");
    pg.psql(db, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g;");
    String id = backup(db);
    // a restore takes seconds (CREATE DATABASE, pg_restore twice, COPY, vacuumdb): 200 ms stops it midway
    RestoreTestResult r = test(id, List.of(), false, Duration.ofMillis(200));
    assertFalse(r.passed(), r.toString());
    assertEquals("CANCELLED", r.errorCode(), r.toString());
    assertTrue(r.message().contains("timed out after"), r.message());
    assertEquals(List.of(), scratchDatabases(), "a stopped test drops what it created");
  }

  @Test
  void aRestoreTestIntoALocalClusterPassesAndRemovesTheCluster() throws Exception {
    String db = pg.newDatabase("local");
    pg.psql(db, "CREATE TABLE t (id serial PRIMARY KEY, v text); INSERT INTO t (v) SELECT 'v' || g FROM"
        + " generate_series(1, 300) g;");
    String id = backup(db);
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long before = localClusters(tmp);
    CairnCli.Run t = CairnCli.run("test", "latest", "--repo", repo, "--target", "local");
    assertEquals(0, t.code(), t.toString());
    assertTrue(t.out().contains("restore test of " + id + " passed"), t.out());
    assertTrue(t.out().contains("1 sequence"), t.out());
    assertEquals(before, localClusters(tmp), "the local cluster's directory is removed");
  }

  private static long localClusters(Path tmp) throws Exception {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.filter(p -> p.getFileName().toString().startsWith("cairn-local-")).count();
    }
  }
}
