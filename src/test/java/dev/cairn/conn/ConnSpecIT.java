package dev.cairn.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.ProcessRunner;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One {@link ConnSpec} against a real server, through its three consumers: vertx-pg-client, pgjdbc and
 * a {@code psql} child process that gets only {@link ConnSpec#toLibpqConninfo()} and {@link
 * ConnSpec#childEnv()} (plus PATH). Every spec is parsed with an explicit environment and a temporary
 * home directory, so the developer's own PG* variables and {@code ~/.pgpass} never matter.
 *
 * <p>pg_hba.conf of {@link PgCluster}: cairn_md5 md5, cairn_scram and cairn_ssl scram-sha-256 (cairn_ssl
 * TLS only), every other role trust over TCP; unix socket trust. A role created here falls under
 * trust, so {@link #specialRole()} puts a scram-sha-256 line for it first in pg_hba.conf (and removes it
 * afterwards): otherwise a mangled password would still log in.
 */
class ConnSpecIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final String QUERY = "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
  private static final String SPECIAL_USER = "cairn_special_pw";
  /** Every character that means something in a URI, in key=value strings, in .pgpass or in SQL. */
  private static final String SPECIAL_PASSWORD = "p@ss:w/rd?x=1&y=%41#f 'q' \\ end";

  private static Vertx vertx;
  private static Path hbaFile;
  private static String hbaOriginal;

  @TempDir Path home;

  record Seen(String user, boolean ssl) {}

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (hbaOriginal != null) {
        Files.writeString(hbaFile, hbaOriginal);
        PG.psql("postgres", "SELECT pg_reload_conf()");
      }
      PG.psql("postgres", "DROP ROLE IF EXISTS " + SPECIAL_USER);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------------------- consumers

  private static Seen viaVertx(ConnSpec spec) throws Throwable {
    PgConnection c = await(PgConnection.connect(vertx, spec.toPgConnectOptions()));
    try {
      Row r = await(c.query(QUERY).execute()).iterator().next();
      return new Seen(r.getString(0), r.getBoolean(1));
    } finally {
      await(c.close());
    }
  }

  private static Seen viaJdbc(ConnSpec spec) throws Exception {
    try (Connection c = new org.postgresql.Driver().connect(spec.jdbcUrl(), spec.jdbcProperties());
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(QUERY)) {
      assertTrue(rs.next());
      return new Seen(rs.getString(1), rs.getBoolean(2));
    }
  }

  /** psql with {@code --dbname=<conninfo>} and an environment of childEnv() and PATH only. */
  private static ProcessRunner.Result psql(ConnSpec spec) throws Exception {
    Path out = Files.createTempFile("cairn-connit-", ".out");
    Path err = Files.createTempFile("cairn-connit-", ".err");
    try {
      ProcessBuilder pb = new ProcessBuilder(PG.psqlBinary().toString(), "-X", "-w", "-At",
          "-v", "ON_ERROR_STOP=1", "--dbname=" + spec.toLibpqConninfo(), "-c", QUERY);
      pb.environment().clear();
      pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      pb.environment().putAll(spec.childEnv());
      pb.redirectInput(new File("/dev/null")).redirectOutput(out.toFile()).redirectError(err.toFile());
      Process p = pb.start();
      if (!p.waitFor(2, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        fail("psql did not finish within 2 minutes");
      }
      return new ProcessRunner.Result("psql", p.exitValue(), Files.readString(out), Files.readString(err));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static Seen viaPsql(ConnSpec spec) throws Exception {
    ProcessRunner.Result r = psql(spec);
    assertEquals(0, r.exitCode(), "psql failed: " + r.stderr());
    String[] f = r.stdout().strip().split("\\|");
    assertEquals(2, f.length, r.stdout());
    return new Seen(f[0], f[1].equals("t"));
  }

  /** The three consumers connect as {@code user}, with TLS or without. */
  private static void assertAllConnect(ConnSpec spec, String user, boolean ssl) throws Throwable {
    Seen expected = new Seen(user, ssl);
    assertEquals(expected, viaVertx(spec), "vertx-pg-client, " + spec);
    assertEquals(expected, viaJdbc(spec), "pgjdbc, " + spec);
    assertEquals(expected, viaPsql(spec), "psql child, " + spec);
  }

  private static Throwable vertxFailure(ConnSpec spec) {
    try {
      Seen s = viaVertx(spec);
      return fail("vertx-pg-client connected as " + s + " with " + spec);
    } catch (Throwable t) {
      if (t instanceof AssertionError a) {
        throw a;
      }
      return t;
    }
  }

  private static Throwable jdbcFailure(ConnSpec spec) {
    try {
      Seen s = viaJdbc(spec);
      return fail("pgjdbc connected as " + s + " with " + spec);
    } catch (Throwable t) {
      if (t instanceof AssertionError a) {
        throw a;
      }
      return t;
    }
  }

  private static ProcessRunner.Result psqlFailure(ConnSpec spec) throws Exception {
    ProcessRunner.Result r = psql(spec);
    assertEquals(2, r.exitCode(), "psql must fail to connect (exit 2): " + r);
    return r;
  }

  /** Both drivers fail with {@code code}; returns the mapped errors (vertx, pgjdbc). */
  private static List<CairnException> bothDriversFail(ConnSpec spec, ErrorCode code) {
    Throwable v = vertxFailure(spec);
    Throwable j = jdbcFailure(spec);
    CairnException cv = PgErrors.from(v, "connection to " + spec.describe());
    CairnException cj = PgErrors.from(j, "connection to " + spec.describe());
    assertEquals(code, cv.code(), () -> "vertx-pg-client: " + stackTrace(v));
    assertEquals(code, cj.code(), () -> "pgjdbc: " + stackTrace(j));
    assertTrue(cv.getMessage().startsWith("connection to " + spec.describe() + ": "), cv.getMessage());
    assertTrue(cj.getMessage().startsWith("connection to " + spec.describe() + ": "), cj.getMessage());
    return List.of(cv, cj);
  }

  // --------------------------------------------------------------------------------- helpers

  private Map<String, String> env(String... kv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  private ConnSpec spec(String conninfo) {
    return ConnSpec.parse(conninfo, Map.of(), home);
  }

  private static String tcp(String user) {
    return "host=" + PG.host() + " port=" + PG.port() + " dbname=postgres user=" + user;
  }

  private static String verifying(String mode, String host, Path rootCert) {
    return "host=" + host + " port=" + PG.port() + " dbname=postgres user=" + PgCluster.SSL_USER
        + " password=" + PgCluster.SSL_PASSWORD + " sslmode=" + mode + " sslrootcert='" + rootCert + "'";
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Throwable {
    try {
      return f.toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw e.getCause();
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** No message, toString or stack trace of the chain (nor the mapped error) shows the password. */
  private static void assertNoPassword(String password, Throwable raw, CairnException mapped) {
    for (Throwable t = raw; t != null; t = t.getCause() == t ? null : t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(password), "message of " + t.getClass());
      assertFalse(String.valueOf(t.getLocalizedMessage()).contains(password), "message of " + t.getClass());
      assertFalse(t.toString().contains(password), "toString of " + t.getClass());
    }
    assertFalse(stackTrace(raw).contains(password), "stack trace");
    assertFalse(stackTrace(mapped).contains(password), "stack trace of the mapped error");
    assertFalse(mapped.describe().contains(password), mapped.describe());
  }

  private static void writePgpass(Path file, String content, String perms) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(perms));
  }

  /**
   * Creates {@link #SPECIAL_USER} (scram) and makes pg_hba.conf check its password, waiting until the
   * reloaded file is in force (a wrong password is refused).
   */
  private static synchronized void specialRole() throws Exception {
    if (hbaOriginal != null) {
      return;
    }
    PG.psql("postgres", "SET password_encryption = 'scram-sha-256';\n"
        + "DROP ROLE IF EXISTS " + SPECIAL_USER + ";\n"
        + "CREATE ROLE " + SPECIAL_USER + " LOGIN PASSWORD " + PgCluster.quoteLiteral(SPECIAL_PASSWORD) + ";");
    hbaFile = Path.of(PG.psql("postgres", "SHOW hba_file"));
    String original = Files.readString(hbaFile);
    Files.writeString(hbaFile, "host all " + SPECIAL_USER + " " + PG.host() + "/32 scram-sha-256\n" + original);
    hbaOriginal = original;
    PG.psql("postgres", "SELECT pg_reload_conf()");
    ConnSpec wrong = ConnSpec.parse(tcp(SPECIAL_USER) + " password=wrong sslmode=disable", Map.of(), null);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        viaJdbc(wrong);
      } catch (java.sql.SQLException e) {
        if ("28P01".equals(e.getSQLState())) {
          return;
        }
        throw e;
      }
      if (System.nanoTime() > deadline) {
        fail("pg_hba.conf reload did not take effect within 60 s");
      }
      Thread.sleep(200);
    }
  }

  // ------------------------------------------------------------------- users and TLS modes

  @Test
  void trustSuperuserOverTcpConnectsWithoutPasswordAndDefaultSslmodePreferUsesTls() throws Throwable {
    ConnSpec s = spec(tcp(PgCluster.SUPERUSER));
    assertEquals("prefer", s.sslMode());
    assertFalse(s.hasPassword());
    assertTrue(s.childEnv().isEmpty());
    assertAllConnect(s, PgCluster.SUPERUSER, true);
  }

  @Test
  void trustSuperuserWithSslmodeDisableConnectsWithoutTls() throws Throwable {
    assertAllConnect(spec(tcp(PgCluster.SUPERUSER) + " sslmode=disable"), PgCluster.SUPERUSER, false);
  }

  @Test
  void md5UserWithPasswordAndSslmodeDisableConnectsWithoutTls() throws Throwable {
    assertAllConnect(spec(tcp(PgCluster.MD5_USER) + " password=" + PgCluster.MD5_PASSWORD + " sslmode=disable"),
        PgCluster.MD5_USER, false);
  }

  @Test
  void scramUserWithPasswordAndSslmodeDisableConnectsWithoutTls() throws Throwable {
    assertAllConnect(
        spec(tcp(PgCluster.SCRAM_USER) + " password=" + PgCluster.SCRAM_PASSWORD + " sslmode=disable"),
        PgCluster.SCRAM_USER, false);
  }

  @Test
  void tlsOnlyUserWithSslmodeRequireConnectsOverTlsWithoutVerifyingTheCertificate() throws Throwable {
    // no root certificate anywhere: require must not try to verify
    assertAllConnect(spec(tcp(PgCluster.SSL_USER) + " password=" + PgCluster.SSL_PASSWORD + " sslmode=require"),
        PgCluster.SSL_USER, true);
  }

  @Test
  void verifyCaWithTheServerCertificateAsRootConnectsOverTls() throws Throwable {
    assertAllConnect(spec(verifying("verify-ca", "localhost", PG.caCert())), PgCluster.SSL_USER, true);
  }

  @Test
  void verifyFullWithHostLocalhostMatchesTheDnsNameAndConnectsOverTls() throws Throwable {
    assertAllConnect(spec(verifying("verify-full", "localhost", PG.caCert())), PgCluster.SSL_USER, true);
  }

  @Test
  void verifyFullWithHostAnIpAddressMatchesTheIpSubjectAltNameAndConnectsOverTls() throws Throwable {
    ProcessRunner.Result san = ProcessRunner.run(List.of("openssl", "x509", "-noout", "-ext", "subjectAltName",
        "-in", PG.caCert().toString()), Map.of(), null, home, Duration.ofMinutes(1)).check();
    assertTrue(san.stdout().contains("IP Address:127.0.0.1"), "the test certificate must carry the IP SAN: "
        + san.stdout());
    assertAllConnect(spec(verifying("verify-full", "127.0.0.1", PG.caCert())), PgCluster.SSL_USER, true);
  }

  @Test
  void verifyFullWithAnotherRootCertificateFailsInAllThreeWithACertificateError() throws Throwable {
    Path otherCa = home.resolve("other-root.crt");
    ProcessRunner.run(List.of("openssl", "req", "-new", "-x509", "-days", "30", "-nodes", "-newkey", "rsa:2048",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", home.resolve("other-root.key").toString(), "-out", otherCa.toString()),
        Map.of(), null, home, Duration.ofMinutes(2)).check();
    ConnSpec s = spec(verifying("verify-full", "localhost", otherCa));

    for (CairnException e : bothDriversFail(s, ErrorCode.DB_CONNECT)) {
      String m = e.getMessage().toLowerCase(Locale.ROOT);
      assertTrue(m.contains("certif") || m.contains("pkix") || m.contains("ssl"), e.describe());
      assertNotNull(e.hint(), e.describe());
      assertTrue(e.hint().contains("sslrootcert"), e.describe());
    }
    ProcessRunner.Result r = psqlFailure(s);
    assertTrue(r.stderr().contains("certificate verify failed"), r.stderr());

    CairnCli.Run backup = CairnCli.run("backup", "--db", s.toLibpqConninfo() + " password=" + PgCluster.SSL_PASSWORD,
        "--repo", home.resolve("repo"));
    assertEquals(3, backup.code(), backup.toString());
    assertTrue(backup.err().contains("DB_CONNECT") && backup.err().contains("hint:"), backup.toString());
  }

  @Test
  void tlsOnlyUserWithSslmodeDisableIsRejectedByPgHbaInAllThree() throws Throwable {
    ConnSpec s = spec(tcp(PgCluster.SSL_USER) + " password=" + PgCluster.SSL_PASSWORD + " sslmode=disable");
    for (CairnException e : bothDriversFail(s, ErrorCode.DB_AUTH)) {
      assertEquals("28000", e.sqlState(), e.describe());
      assertTrue(e.getMessage().contains("pg_hba.conf rejects connection"), e.describe());
      assertTrue(e.getMessage().contains("no encryption"), e.describe());
      assertNotNull(e.hint(), e.describe());
    }
    ProcessRunner.Result r = psqlFailure(s);
    assertTrue(r.stderr().contains("pg_hba.conf rejects connection") && r.stderr().contains("no encryption"),
        r.stderr());
  }

  // ------------------------------------------------------------------------ password sources

  @Test
  void percentEncodedPasswordInTheUriReachesTheServerIntact() throws Throwable {
    specialRole();
    ConnSpec s = spec("postgresql://" + SPECIAL_USER + ":" + encode(SPECIAL_PASSWORD) + "@" + PG.host() + ":"
        + PG.port() + "/postgres?sslmode=disable");
    assertEquals(Map.of("PGPASSWORD", SPECIAL_PASSWORD), s.childEnv());
    assertFalse(s.toLibpqConninfo().contains("p@ss"), s.toLibpqConninfo());
    assertAllConnect(s, SPECIAL_USER, false);
  }

  @Test
  void quotedPasswordInKeyValueStringReachesTheServerIntact() throws Throwable {
    specialRole();
    String quoted = "'" + SPECIAL_PASSWORD.replace("\\", "\\\\").replace("'", "\\'") + "'";
    ConnSpec s = spec(tcp(SPECIAL_USER) + " password = " + quoted + " sslmode=disable");
    assertEquals(Map.of("PGPASSWORD", SPECIAL_PASSWORD), s.childEnv());
    assertAllConnect(s, SPECIAL_USER, false);
  }

  @Test
  void passwordFromPgpasswordInTheEnvironmentIsUsed() throws Throwable {
    ConnSpec s = ConnSpec.parse(tcp(PgCluster.SCRAM_USER) + " sslmode=disable",
        env("PGPASSWORD", PgCluster.SCRAM_PASSWORD), home);
    assertAllConnect(s, PgCluster.SCRAM_USER, false);
  }

  @Test
  void passwordFromAPrivatePgpassWithWildcardsIsUsed() throws Throwable {
    writePgpass(home.resolve(".pgpass"), String.join("\n",
        "# comment: host:port:database:user:password",
        "otherhost:*:*:" + PgCluster.SCRAM_USER + ":not-this-one",
        PG.host() + ":" + (PG.port() + 1) + ":*:" + PgCluster.SCRAM_USER + ":nor-this-one",
        PG.host() + ":*:*:" + PgCluster.SCRAM_USER + ":" + PgCluster.SCRAM_PASSWORD,
        "*:*:*:*:too-late",
        ""), "rw-------");
    ConnSpec s = spec(tcp(PgCluster.SCRAM_USER) + " sslmode=disable");
    assertTrue(s.hasPassword());
    assertEquals(Map.of("PGPASSWORD", PgCluster.SCRAM_PASSWORD), s.childEnv());
    assertAllConnect(s, PgCluster.SCRAM_USER, false);
  }

  @Test
  void pgpassReadableByOthersIsIgnoredAndAuthenticationFails() throws Throwable {
    writePgpass(home.resolve(".pgpass"), "*:*:*:*:" + PgCluster.SCRAM_PASSWORD + "\n", "rw-r--r--");
    ConnSpec s = spec(tcp(PgCluster.SCRAM_USER) + " sslmode=disable");
    assertFalse(s.hasPassword());
    assertTrue(s.childEnv().isEmpty());
    for (CairnException e : bothDriversFail(s, ErrorCode.DB_AUTH)) {
      assertTrue(e.getMessage().contains("password"), e.describe());
      assertTrue(e.hint() != null && e.hint().contains(".pgpass"), e.describe());
    }
    ProcessRunner.Result r = psqlFailure(s);
    assertTrue(r.stderr().contains("no password supplied"), r.stderr());
  }

  // ------------------------------------------------------------------------------- failures

  @Test
  void wrongMd5PasswordIsDbAuthInBothDriversAndNeverShowsThePassword() throws Throwable {
    wrongPassword(PgCluster.MD5_USER);
  }

  @Test
  void wrongScramPasswordIsDbAuthInBothDriversAndNeverShowsThePassword() throws Throwable {
    wrongPassword(PgCluster.SCRAM_USER);
  }

  private void wrongPassword(String user) throws Throwable {
    String password = "Wr0ng-" + user + "-S3cret";
    ConnSpec s = spec(tcp(user) + " password=" + password + " sslmode=disable");
    Throwable v = vertxFailure(s);
    Throwable j = jdbcFailure(s);
    CairnException cv = PgErrors.from(v, "connection to " + s.describe());
    CairnException cj = PgErrors.from(j, "connection to " + s.describe());
    for (CairnException e : List.of(cv, cj)) {
      assertEquals(ErrorCode.DB_AUTH, e.code(), e.describe());
      assertEquals("28P01", e.sqlState(), e.describe());
      assertTrue(e.getMessage().contains("password authentication failed for user \"" + user + "\""),
          e.describe());
      assertNotNull(e.hint());
    }
    assertNoPassword(password, v, cv);
    assertNoPassword(password, j, cj);
    ProcessRunner.Result r = psqlFailure(s);
    assertTrue(r.stderr().contains("password authentication failed"), r.stderr());
    assertFalse(r.stderr().contains(password) || r.stdout().contains(password), r.stderr());
  }

  @Test
  void unreachablePortIsDbConnectInBothDriversAndFailsThePsqlChild() throws Throwable {
    int port;
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getByName(PG.host()))) {
      port = ss.getLocalPort();
    }
    ConnSpec s = spec("host=" + PG.host() + " port=" + port + " dbname=postgres user=postgres sslmode=disable");
    for (CairnException e : bothDriversFail(s, ErrorCode.DB_CONNECT)) {
      assertTrue(e.getMessage().toLowerCase(Locale.ROOT).contains("refused"), e.describe());
    }
    ProcessRunner.Result r = psqlFailure(s);
    assertTrue(r.stderr().contains("Connection refused"), r.stderr());
  }

  // ---------------------------------------------------------------------------- unix socket

  @Test
  void unixSocketWorksForAllThreeAndSslmodeIsIgnoredThereAsLibpqDoes() throws Throwable {
    // libpq never uses TLS over a unix socket, not even with verify-full (and needs no root certificate)
    for (String mode : List.of("", " sslmode=require", " sslmode=verify-full")) {
      ConnSpec s = spec("host=" + PG.socketDir() + " port=" + PG.port() + " dbname=postgres user="
          + PgCluster.SUPERUSER + mode);
      assertAllConnect(s, PgCluster.SUPERUSER, false);
    }
  }

  @Test
  void aMissingUnixSocketIsAConnectionErrorNamingTheSocketFile(@TempDir Path nowhere) throws Throwable {
    ConnSpec s = spec("host=" + nowhere + " port=" + PG.port() + " dbname=postgres user=" + PgCluster.SUPERUSER);
    java.sql.SQLException e = assertThrows(java.sql.SQLException.class, () -> viaJdbc(s));
    assertEquals("08001", e.getSQLState(), e.toString());
    CairnException mapped = PgErrors.from(e, "cannot connect to " + s.describe());
    assertEquals(ErrorCode.DB_CONNECT, mapped.code(), mapped.describe());
    assertTrue(stackTrace(e).contains(nowhere.resolve(".s.PGSQL." + PG.port()).toString()), stackTrace(e));
  }

  // ----------------------------------------------------------------------------- end to end

  @Test
  void cliBackupOverVerifyFullAsTlsOnlyUserThenRestoreWithCreateKeepsTheRows(@TempDir Path repo)
      throws Throwable {
    String db = PG.newDatabase("connit_tls");
    String restored = db + "_restored";
    try {
      PG.psql("postgres", "ALTER DATABASE " + PgCluster.quoteIdent(db) + " OWNER TO " + PgCluster.SSL_USER);
      PG.psql(db, "SET ROLE " + PgCluster.SSL_USER + ";\n"
          + "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);\n"
          + "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1234) g;");
      String url = "postgresql://" + PgCluster.SSL_USER + ":" + encode(PgCluster.SSL_PASSWORD) + "@localhost:"
          + PG.port() + "/" + encode(db) + "?sslmode=verify-full&sslrootcert=" + encode(PG.caCert().toString());
      CairnCli.Run backup = CairnCli.run("backup", "--db", url, "--repo", repo);
      assertEquals(0, backup.code(), backup.toString());
      assertFalse(backup.out().contains(PgCluster.SSL_PASSWORD) || backup.err().contains(PgCluster.SSL_PASSWORD),
          "the password leaked: " + backup);
      String id = backup.lastLine();

      CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(restored), "--create");
      assertEquals(0, restore.code(), restore.toString());
      assertEquals("1234", PG.psql(restored, "SELECT count(*) FROM items"));
      assertEquals(PgCluster.SSL_USER, PG.psql(restored, "SELECT tableowner FROM pg_tables WHERE tablename = 'items'"));
    } finally {
      PG.dropDatabase(restored);
      PG.dropDatabase(db);
    }
  }

  @Test
  void peerAuthenticationOverTheUnixSocketBacksUpAndRestoresWithNoPasswordAnywhere(@TempDir Path repo)
      throws Throwable {
    String db = PG.newDatabase("connit_peer");
    String restored = db + "_restored";
    try {
      PG.psql(db, "CREATE TABLE items (id bigserial PRIMARY KEY, name text NOT NULL, body text);\n"
          + "INSERT INTO items (name, body) SELECT 'item ' || g, repeat(md5(g::text), 40) FROM generate_series(1, 20000) g;");
      String socket = "host=" + PG.socketDir() + " port=" + PG.port() + " user=" + PgCluster.PEER_USER;
      assertAllConnect(spec(socket + " dbname=" + db), PgCluster.PEER_USER, false);

      // split into page ranges, so both COPY streams run; the restore's COPY FROM polls the socket with a
      // 1 ms read timeout while it sends, which the unix socket must honour
      CairnCli.Run backup = CairnCli.run("backup", "--db", socket + " dbname=" + db, "--repo", repo,
          "--jobs", "2", "--split-size", "1MB", "--chunk-size", "256kB");
      assertEquals(0, backup.code(), backup.toString());
      String id = backup.lastLine();
      assertEquals(0, CairnCli.run("verify", id, "--repo", repo).code());

      CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", socket + " dbname=" + restored,
          "--create", "--no-owner", "--jobs", "2");
      assertEquals(0, restore.code(), restore.toString());
      String rows = "SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY id)) FROM items t";
      assertEquals(PG.psql(db, rows), PG.psql(restored, rows));
      assertEquals(PG.psql(db, "SELECT last_value FROM items_id_seq"),
          PG.psql(restored, "SELECT last_value FROM items_id_seq"));
    } finally {
      PG.dropDatabase(restored);
      PG.dropDatabase(db);
    }
  }
}
