package dev.cairn.testkit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the harness itself: the cluster, its roles and TLS, the fidelity fixture and DbCompare. */
class PgClusterIT {

  private static PgCluster pg;

  @BeforeAll
  static void start() {
    pg = PgCluster.shared();
  }

  @Test
  void clusterStartsAndPsqlWorks() {
    assertEquals("1", pg.psql("postgres", "SELECT 1"));
    assertTrue(pg.serverVersionNum() >= 150000);
    assertEquals("127.0.0.1", pg.host());
    assertEquals("postgresql://postgres@127.0.0.1:" + pg.port() + "/x", pg.conninfo("x"));
    assertEquals("on|off|off|off|100|128MB", pg.psql("postgres",
        "SELECT current_setting('ssl'), current_setting('fsync'), current_setting('synchronous_commit'),"
            + " current_setting('full_page_writes'), current_setting('max_connections'),"
            + " current_setting('shared_buffers')"));
    assertSame(pg, PgCluster.shared());
    assertTrue(Files.isReadable(pg.logFile()));
    assertTrue(Files.isRegularFile(pg.caCert()));
    assertTrue(Files.isExecutable(pg.pgDump()) && Files.isExecutable(pg.pgRestore()));
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> pg.psql("postgres", "SELECT * FROM no_such_table"));
    assertTrue(e.getMessage().contains("no_such_table"), e.getMessage());
  }

  private static void assertSame(Object a, Object b) {
    org.junit.jupiter.api.Assertions.assertSame(a, b);
  }

  @Test
  void conninfoUriAndUnixSocketWork() {
    ProcessRunner.Result viaUri = ProcessRunner.run(List.of(pg.psqlBinary().toString(), "-X", "-At",
            "-c", "SELECT current_user || ' ' || ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            pg.conninfo("postgres")),
        Map.of(), null, null, Duration.ofSeconds(60)).check();
    assertEquals("postgres true", viaUri.stdout().strip(), "sslmode=prefer over TCP uses TLS");
    ProcessRunner.Result viaSocket = ProcessRunner.run(List.of(pg.psqlBinary().toString(), "-X", "-At",
            "-h", pg.socketDir().toString(), "-p", String.valueOf(pg.port()), "-U", "postgres",
            "-c", "SELECT 'socket'", "postgres"),
        Map.of(), null, null, Duration.ofSeconds(60)).check();
    assertEquals("socket", viaSocket.stdout().strip());
  }

  @Test
  void passwordRolesConnectWithTheRightPasswordOnly() {
    record Case(String user, String password, String sslmode) {}
    List<Case> cases = List.of(
        new Case(PgCluster.MD5_USER, PgCluster.MD5_PASSWORD, "disable"),
        new Case(PgCluster.SCRAM_USER, PgCluster.SCRAM_PASSWORD, "disable"),
        new Case(PgCluster.SSL_USER, PgCluster.SSL_PASSWORD, "require"),
        new Case(PgCluster.SSL_USER, PgCluster.SSL_PASSWORD, "verify-full"),
        new Case(PgCluster.READER_USER, PgCluster.READER_PASSWORD, "disable"));
    for (Case c : cases) {
      ProcessRunner.Result ok = pg.psqlAs(c.user(), c.password(), c.sslmode(), "postgres",
          "SELECT current_user");
      assertEquals(0, ok.exitCode(), c + ": " + ok.stderr());
      assertEquals(c.user(), ok.stdout().strip());
      ProcessRunner.Result bad = pg.psqlAs(c.user(), "wrong-" + c.password(), c.sslmode(), "postgres",
          "SELECT current_user");
      assertNotEquals(0, bad.exitCode(), c + " connected with a wrong password");
      assertTrue(bad.stderr().contains("password authentication failed for user \"" + c.user() + "\""),
          c + ": " + bad.stderr());
    }
    // cairn_peer has no password at all: it logs in by peer authentication over the unix socket only
    assertEquals("cairn_md5|md5\ncairn_peer|\ncairn_reader|SCRAM\ncairn_scram|SCRAM\ncairn_ssl|SCRAM",
        pg.psql("postgres", "SELECT rolname, CASE WHEN rolpassword LIKE 'md5%' THEN 'md5'"
            + " WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'SCRAM' END FROM pg_authid"
            + " WHERE rolname LIKE 'cairn\\_%' AND rolcanlogin ORDER BY 1"));
  }

  @Test
  void sslRoleIsRejectedWithoutTlsAndUsesTlsOtherwise() {
    ProcessRunner.Result plain = pg.psqlAs(PgCluster.SSL_USER, PgCluster.SSL_PASSWORD, "disable",
        "postgres", "SELECT 1");
    assertNotEquals(0, plain.exitCode());
    assertTrue(plain.stderr().contains("pg_hba.conf rejects connection"), plain.stderr());
    assertTrue(plain.stderr().contains("no encryption"), plain.stderr());
    ProcessRunner.Result tls = pg.psqlAs(PgCluster.SSL_USER, PgCluster.SSL_PASSWORD, "require",
        "postgres", "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
    assertEquals("t", tls.stdout().strip(), tls.stderr());
  }

  @Test
  void readerReadsEverythingButIsNoSuperuser() {
    String db = Fixtures.fidelityCopy(pg);
    try {
      ProcessRunner.Result r = pg.psqlAs(PgCluster.READER_USER, PgCluster.READER_PASSWORD, "disable", db,
          "SELECT current_setting('is_superuser'), pg_has_role('pg_read_all_data', 'MEMBER'),"
              + " (SELECT count(*) FROM big), (SELECT count(*) FROM app.owned_by_app)");
      assertEquals("off|t|120000|1", r.stdout().strip(), r.stderr());
    } finally {
      pg.dropDatabase(db);
    }
  }

  @Test
  void fidelityFixtureLoads() {
    String db = Fixtures.loadFidelity(pg);
    try {
      Map<String, Long> counts = DbCompare.tableRowCounts(pg, db);
      assertAll(
          () -> assertEquals(3L, counts.get("public.z"), "zero-column table rows"),
          () -> assertEquals(120000L, counts.get("public.big")),
          () -> assertEquals(2L, counts.get("\"Weird Schema\".\"select\"")),
          () -> assertEquals(2L, counts.get("public.cities"), "parent's own rows (ONLY)"),
          () -> assertEquals(2L, counts.get("public.capitals")),
          () -> assertFalse(counts.containsKey("public.measurements_2024_02"),
              "a partitioned parent is not a table with rows"),
          () -> assertEquals(3L, counts.get("public.trigger_log")),
          () -> assertEquals(50L, counts.get("public.unlogged_cache")));
      long partitionRows = counts.entrySet().stream().filter(e -> e.getKey().startsWith("public.measurements_"))
          .mapToLong(Map.Entry::getValue).sum();
      assertEquals(2000L, partitionRows);
      assertEquals("f|f|t|t|t", pg.psql(db, "SELECT is_called FROM seq_never_called UNION ALL"
          + " SELECT is_called FROM seq_setval_false UNION ALL SELECT is_called FROM seq_called"
          + " UNION ALL SELECT is_called FROM seq_cycle UNION ALL SELECT is_called FROM seq_descending")
          .replace('\n', '|'));
      assertEquals("mv_ledger_total|t\nmv_never_populated|f\nmv_price_buckets|t\nmv_top_buckets|t",
          pg.psql(db, "SELECT relname, relispopulated FROM pg_class WHERE relkind = 'm' ORDER BY 1"));
      assertEquals("0|4|18|102400", pg.psql(db,
          "SELECT string_agg(length(lo_get(oid))::text, '|' ORDER BY length(lo_get(oid)))"
              + " FROM pg_largeobject_metadata"));
      assertTrue(Long.parseLong(pg.psql(db, "SELECT pg_relation_size('big') / 8192")) > 1000,
          "big spans enough pages to be split");
      assertEquals("\\.", pg.psql(db, "SELECT t FROM texts WHERE id = 6"));
      assertEquals("19001|t", pg.psql(db, "SELECT last_value, is_called FROM seq_bigstep"),
          "a cached sequence stores the end of its cached range");
    } finally {
      pg.dropDatabase(db);
    }
  }

  @Test
  void dbCompareAcceptsADatabaseAndItsCopy() {
    String a = Fixtures.fidelityCopy(pg);
    String b = Fixtures.fidelityCopy(pg);
    try {
      DbCompare.assertSameDatabase(pg, a, a);
      DbCompare.assertSameDatabase(pg, a, b);
    } finally {
      pg.dropDatabase(a);
      pg.dropDatabase(b);
    }
  }

  @Test
  void dbCompareNamesTheTableAndRowThatDiffer() {
    String a = Fixtures.fidelityCopy(pg);
    String b = pg.cloneDatabase(a, "changed");
    try {
      pg.psql(b, "UPDATE big SET label = 'changed' WHERE id = 777");
      AssertionError e = assertThrows(AssertionError.class, () -> DbCompare.assertSameDatabase(pg, a, b));
      String m = e.getMessage();
      assertTrue(m.contains("table public.big: 120000 row(s) in src, 120000 in dst; 1 only in src, 1 only in dst"), m);
      assertTrue(m.contains("first only in dst: 777\tchanged\t"), m);
      assertTrue(m.contains("(1 difference(s))"), m);

      pg.psql(b, "UPDATE big SET label = (SELECT label FROM big WHERE id = 776) WHERE id = 777;"
          + "SELECT setval('seq_called', 99); DELETE FROM z WHERE ctid = (SELECT min(ctid) FROM z);"
          + "UPDATE \"Weird Schema\".\"select\" SET \"MixedCase\" = 'x' WHERE \"from\" = 1;"
          + "SELECT lo_put(910001, 0, 'J'::bytea); REFRESH MATERIALIZED VIEW mv_never_populated;"
          + "COMMENT ON TABLE texts IS 'new comment'");
      m = assertThrows(AssertionError.class, () -> DbCompare.assertSameDatabase(pg, a, b)).getMessage();
      for (String expected : List.of("table public.big", "sequence public.seq_called: src last_value=7",
          "table public.z: 3 row(s) in src, 2 in dst", "table \"Weird Schema\".\"select\"",
          "large object 910001", "materialized view public.mv_never_populated: relispopulated is f in src",
          "schema (pg_dump --schema-only) differs at line", "COMMENT ON TABLE public.texts IS 'new comment'")) {
        assertTrue(m.contains(expected), "expected «" + expected + "» in:\n" + m);
      }
    } finally {
      pg.dropDatabase(a);
      pg.dropDatabase(b);
    }
  }

  /**
   * pg_dump/pg_restore carry the whole fixture, except that pg_restore's REFRESH of
   * reporting.mv_ledger_total fails: it runs with an empty search_path and the view's function names
   * its table unqualified. DbCompare sees the unpopulated view; refreshing it with the schema on the
   * path makes the copy identical.
   */
  @Test
  void pgDumpRoundTripHitsTheSearchPathTrapAndOtherwiseMatches() throws Exception {
    String src = Fixtures.fidelityCopy(pg);
    String dst = pg.newDatabase("restored");
    Path dump = Files.createTempFile("cairn-fidelity-", ".dump");
    try {
      ProcessRunner.run(List.of(pg.pgDump().toString(), "-Fc", "-f", dump.toString(), "-d", src),
          pg.clientEnv(null, "disable"), null, null, Duration.ofMinutes(5)).check();
      ProcessRunner.Result restore = ProcessRunner.run(List.of(pg.pgRestore().toString(), "-d", dst,
          dump.toString()), pg.clientEnv(null, "disable"), null, null, Duration.ofMinutes(5));
      assertEquals(1, restore.exitCode(), restore.stderr());
      assertTrue(restore.stderr().contains("REFRESH MATERIALIZED VIEW reporting.mv_ledger_total"),
          restore.stderr());
      String m = assertThrows(AssertionError.class, () -> DbCompare.assertSameDatabase(pg, src, dst))
          .getMessage();
      assertTrue(m.contains("materialized view reporting.mv_ledger_total: relispopulated is t in src, f in dst"), m);
      pg.psql(dst, "SET search_path = reporting; REFRESH MATERIALIZED VIEW reporting.mv_ledger_total");
      DbCompare.assertSameDatabase(pg, src, dst);
    } finally {
      Files.deleteIfExists(dump);
      pg.dropDatabase(src);
      pg.dropDatabase(dst);
    }
  }

  @Test
  void privateClusterRestartsOnTheSamePortAndCleansUp() {
    Path base;
    try (PgCluster own = PgCluster.startNew()) {
      assertNotEquals(PgCluster.shared().port(), own.port());
      String db = own.newDatabase("restart");
      own.psql(db, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)");
      String pid = own.psql("postgres", "SELECT pg_backend_pid()");
      int port = own.port();
      own.restart();
      assertEquals(port, own.port());
      assertEquals("1", own.psql(db, "SELECT x FROM t"));
      assertFalse(pid.isEmpty());
      own.dropDatabase(db);
      assertEquals("", own.psql("postgres", "SELECT datname FROM pg_database WHERE datname = '" + db + "'"));
      base = own.socketDir().getParent();
    }
    assertFalse(Files.exists(base), base + " still exists after close()");
  }
}
