package dev.cairn.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnSpecTest {
  @TempDir Path home;

  private ConnSpec parse(String conninfo) {
    return ConnSpec.parse(conninfo, Map.of(), home);
  }

  private ConnSpec parse(String conninfo, Map<String, String> env) {
    return ConnSpec.parse(conninfo, env, home);
  }

  private CairnException fails(String conninfo) {
    return fails(conninfo, Map.of());
  }

  private CairnException fails(String conninfo, Map<String, String> env) {
    CairnException e = assertThrows(CairnException.class, () -> parse(conninfo, env));
    assertEquals(ErrorCode.CONNINFO, e.code());
    assertEquals(e.getMessage().toLowerCase(), e.getMessage(), "messages are lowercase");
    return e;
  }

  private Path pgpass(String content) throws IOException {
    Path f = home.resolve(".pgpass");
    Files.writeString(f, content);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }

  // ---- URIs ---------------------------------------------------------------------------------

  @Test
  void uriWithEveryPartIsParsed() {
    ConnSpec s =
        parse("postgresql://alice:s3cret@db.example.com:6543/sales?sslmode=require&application_name=nightly");
    assertEquals("db.example.com", s.host());
    assertEquals(6543, s.port());
    assertEquals("sales", s.database());
    assertEquals("alice", s.user());
    assertEquals("s3cret", s.password());
    assertEquals("require", s.sslMode());
    assertEquals("nightly", s.applicationName());
  }

  @Test
  void postgresSchemeIsAcceptedToo() {
    ConnSpec s = parse("postgres://bob@h/d");
    assertEquals("bob", s.user());
    assertEquals("h", s.host());
    assertEquals("d", s.database());
  }

  @Test
  void uriPartsArePercentDecodedAsUtf8() {
    ConnSpec s = parse("postgresql://us%40er:p%3Aw%2F%C3%A9@h/my%20db%3F?application_name=a%26b");
    assertEquals("us@er", s.user());
    assertEquals("p:w/é", s.password());
    assertEquals("my db?", s.database());
    assertEquals("a&b", s.applicationName());
  }

  @Test
  void ipv6HostInBracketsIsParsed() {
    ConnSpec s = parse("postgresql://[::1]:5433/db");
    assertEquals("::1", s.host());
    assertEquals(5433, s.port());
    assertEquals("u@[::1]:5433/db", parse("postgresql://u@[::1]:5433/db").describe());
  }

  @Test
  void unixSocketDirectoryAsHostQueryParameter() {
    ConnSpec s = parse("postgresql:///db?host=/var/run/postgresql&port=5433");
    assertEquals("/var/run/postgresql", s.host());
    assertEquals(5433, s.port());
    PgConnectOptions o = s.toPgConnectOptions();
    assertTrue(o.isUsingDomainSocket());
    assertEquals("/var/run/postgresql/.s.PGSQL.5433", o.getSocketAddress().path());
  }

  @Test
  void percentEncodedUnixSocketDirectoryAsUriHost() {
    assertEquals("/tmp/pg sock", parse("postgresql://%2Ftmp%2Fpg%20sock/db").host());
  }

  @Test
  void queryParametersOverrideTheNetloc() {
    ConnSpec s = parse("postgresql://a@h1:1/d1?user=b&host=h2&port=2&dbname=d2");
    assertEquals("b", s.user());
    assertEquals("h2", s.host());
    assertEquals(2, s.port());
    assertEquals("d2", s.database());
  }

  @Test
  void uriWithoutHostUsesEnvironmentAndDefaults() {
    ConnSpec s = parse("postgresql:///db", Map.of("PGHOST", "envhost"));
    assertEquals("envhost", s.host());
    assertEquals(5432, s.port());
  }

  // ---- key=value ----------------------------------------------------------------------------

  @Test
  void keyValueAllowsBlanksAroundEquals() {
    ConnSpec s = parse("  host = h  port=\t5433 dbname =d user= u ");
    assertEquals("h", s.host());
    assertEquals(5433, s.port());
    assertEquals("d", s.database());
    assertEquals("u", s.user());
  }

  @Test
  void quotedValuesUnescapeQuotesAndBackslashes() {
    ConnSpec s = parse("password='it\\'s a \\\\ secret' dbname='my db' application_name=''");
    assertEquals("it's a \\ secret", s.password());
    assertEquals("my db", s.database());
    assertEquals("cairn", s.applicationName(), "empty value means default");
  }

  @Test
  void unquotedValuesHonourBackslashEscapes() {
    assertEquals("a b", parse("dbname=a\\ b").database());
  }

  @Test
  void lastOccurrenceOfAKeyWins() {
    assertEquals("second", parse("dbname=first dbname=second").database());
  }

  @Test
  void bareWordIsADatabaseNameWhenItIsTheWholeString() {
    assertEquals("sales", parse("sales").database());
  }

  @Test
  void bareWordFollowedByOptionsIsAnError() {
    CairnException e = fails("sales host=h");
    assertEquals("missing \"=\" after \"sales\" in connection string", e.getMessage());
    assertNotNull(e.hint());
  }

  @Test
  void emptyStringUsesEnvironmentAndDefaults() {
    ConnSpec s = parse("", Map.of("PGUSER", "carol"));
    assertEquals("localhost", s.host());
    assertEquals("carol", s.database());
  }

  @Test
  void unterminatedQuoteIsAnError() {
    assertEquals(
        "unterminated quoted string in connection string (value of \"dbname\")",
        fails("dbname='abc").getMessage());
  }

  // ---- errors -------------------------------------------------------------------------------

  @Test
  void unknownKeyIsRejectedNamingTheKey() {
    CairnException e = fails("host=h target_session_attrs=any");
    assertEquals("unknown connection option \"target_session_attrs\"", e.getMessage());
    assertTrue(e.hint().contains("sslmode"));
    assertEquals("unknown connection option \"foo\"", fails("postgresql://h/d?foo=1").getMessage());
  }

  @Test
  void multipleHostsAreRejectedSayingOnlyOneIsSupported() {
    String msg = "multiple hosts in connection string are not supported: only one host is supported";
    assertEquals(msg, fails("host=a,b").getMessage());
    assertEquals(msg, fails("postgresql://a:1,b:2/db").getMessage());
    assertEquals(msg, fails("postgresql://a,b/db").getMessage());
    assertEquals(msg, fails("port=1,2").getMessage());
    assertEquals(msg, fails("", Map.of("PGHOST", "a,b")).getMessage());
  }

  @Test
  void wordAfterUnquotedPasswordIsNotEchoed() {
    CairnException e = fails("password=foo bar");
    assertFalse(e.getMessage().contains("bar"), e.getMessage());
    assertFalse(e.getMessage().contains("foo"), e.getMessage());
    assertTrue(e.hint().contains("password='...'"));
    CairnException e2 = fails("password=foo bar=baz");
    assertFalse(e2.describe().contains("bar"), e2.describe());
  }

  @Test
  void unencodedAtInUriPasswordIsRejectedWithoutEchoingIt() {
    CairnException e = fails("postgresql://u:p@ss@host/db");
    assertEquals("unexpected \"@\" in the host part of connection uri", e.getMessage());
    assertFalse(e.describe().contains("ss@"), e.describe());
    assertTrue(e.hint().contains("%40"));
  }

  @Test
  void passwordInPlaceOfAPortIsNotEchoed() {
    // "@host" forgotten: libpq reads "secret" as the port
    CairnException e = fails("postgresql://user:secret/db");
    assertEquals("invalid port: must be an integer from 1 to 65535", e.getMessage());
  }

  @Test
  void oddTokensAreNotEchoed() {
    CairnException e = fails(" x postgresql://u:secret@h/d?sslmode=require");
    assertEquals("missing \"=\" after \"x\" in connection string", e.getMessage());
    CairnException e2 = fails("postgresql://u:secret@h/d?sslmode=require x=1");
    assertFalse(e2.describe().contains("secret"), e2.describe());
    CairnException e3 = fails("host=h u:secret@h=1");
    assertEquals("unknown connection option (not shown: not a plain name)", e3.getMessage());
  }

  @Test
  void uriWithSurroundingBlanksIsAccepted() {
    assertEquals("h", parse("  postgresql://u@h/d\n").host());
  }

  @Test
  void atInAQueryParameterDoesNotBecomeAUser() {
    ConnSpec s = parse("postgresql://h?password=p%40ss&user=u");
    assertEquals("u", s.user());
    assertEquals("p@ss", s.password());
  }

  @Test
  void malformedPercentEncodingIsRejected() {
    assertEquals(
        "invalid percent-encoded token in the dbname of connection uri",
        fails("postgresql://h/a%zz").getMessage());
    assertEquals(
        "forbidden value %00 in the dbname of connection uri", fails("postgresql://h/a%00").getMessage());
    assertEquals(
        "percent-encoded bytes in the dbname of connection uri are not valid utf-8",
        fails("postgresql://h/a%C3").getMessage());
  }

  @Test
  void unexpectedCharacterAfterHostIsRejected() {
    assertEquals(
        "unexpected character \"x\" at position 19 in connection uri (expected \":\" or \"/\")",
        fails("postgresql://[::1]x/db").getMessage());
    assertEquals(
        "missing \"]\" after an ipv6 host in connection uri", fails("postgresql://[::1/db").getMessage());
  }

  @Test
  void invalidPortIsRejected() {
    assertEquals("invalid port: must be an integer from 1 to 65535", fails("port=abc").getMessage());
    assertEquals(
        "invalid port \"70000\": must be an integer from 1 to 65535",
        fails("postgresql://h:70000/d").getMessage());
    assertEquals(
        "invalid port \"0\": must be an integer from 1 to 65535", fails("", Map.of("PGPORT", "0")).getMessage());
  }

  @Test
  void invalidSslmodeListsTheValidValues() {
    assertEquals(
        "invalid sslmode \"on\": valid values are disable, allow, prefer, require, verify-ca, verify-full",
        fails("sslmode=on").getMessage());
    assertEquals(
        "invalid sslmode \"x\": valid values are disable, allow, prefer, require, verify-ca, verify-full",
        fails("", Map.of("PGSSLMODE", "x")).getMessage());
  }

  @Test
  void connectTimeoutFollowsLibpq() {
    assertEquals(2, parse("connect_timeout=1").connectTimeoutSeconds());
    assertEquals(10, parse("connect_timeout=10").connectTimeoutSeconds());
    assertEquals(0, parse("connect_timeout=-5").connectTimeoutSeconds());
    assertEquals(7, parse("", Map.of("PGCONNECT_TIMEOUT", "7")).connectTimeoutSeconds());
    assertEquals(
        "invalid connect_timeout \"soon\": must be an integer number of seconds",
        fails("connect_timeout=soon").getMessage());
  }

  // ---- environment and defaults -------------------------------------------------------------

  @Test
  void defaultsAreTcpLocalhost5432OsUserPreferAndCairn() {
    ConnSpec s = parse("");
    assertEquals("localhost", s.host());
    assertEquals(5432, s.port());
    assertEquals(System.getProperty("user.name"), s.user());
    assertEquals(s.user(), s.database());
    assertEquals("prefer", s.sslMode());
    assertEquals("cairn", s.applicationName());
    assertFalse(s.hasPassword());
    assertEquals(0, s.connectTimeoutSeconds());
  }

  @Test
  void environmentFillsEveryMissingValue() {
    Map<String, String> env = new HashMap<>();
    env.put("PGHOST", "eh");
    env.put("PGPORT", "6000");
    env.put("PGDATABASE", "edb");
    env.put("PGUSER", "eu");
    env.put("PGPASSWORD", "epw");
    env.put("PGSSLMODE", "require");
    env.put("PGSSLROOTCERT", "/r.crt");
    env.put("PGSSLCERT", "/c.crt");
    env.put("PGSSLKEY", "/c.key");
    env.put("PGAPPNAME", "eapp");
    env.put("PGOPTIONS", "-c work_mem=64MB");
    ConnSpec s = parse("", env);
    assertEquals("eh", s.host());
    assertEquals(6000, s.port());
    assertEquals("edb", s.database());
    assertEquals("eu", s.user());
    assertEquals("epw", s.password());
    assertEquals("require", s.sslMode());
    assertEquals("/r.crt", s.sslRootCert());
    assertEquals("/c.crt", s.sslCert());
    assertEquals("/c.key", s.sslKey());
    assertEquals("eapp", s.applicationName());
    assertEquals("-c work_mem=64MB", s.options());
  }

  @Test
  void connectionStringWinsOverEnvironment() {
    ConnSpec s =
        parse("host=h user=u dbname=d port=1 sslmode=disable", Map.of("PGHOST", "eh", "PGUSER", "eu",
            "PGDATABASE", "ed", "PGPORT", "2", "PGSSLMODE", "require"));
    assertEquals("h", s.host());
    assertEquals("u", s.user());
    assertEquals("d", s.database());
    assertEquals(1, s.port());
    assertEquals("disable", s.sslMode());
  }

  @Test
  void emptyValueInConnectionStringBlocksTheVariable() {
    assertEquals("localhost", parse("host=''", Map.of("PGHOST", "eh")).host());
  }

  @Test
  void databaseDefaultsToTheResolvedUser() {
    assertEquals("eu", parse("", Map.of("PGUSER", "eu")).database());
    assertEquals("u", parse("user=u", Map.of("PGUSER", "eu")).database());
  }

  // ---- passwords ----------------------------------------------------------------------------

  @Test
  void passwordPrecedenceIsConnectionStringThenPgpasswordThenFile() throws IOException {
    pgpass("*:*:*:*:frompgpass\n");
    assertEquals("given", parse("password=given", Map.of("PGPASSWORD", "env")).password());
    assertEquals("env", parse("", Map.of("PGPASSWORD", "env")).password());
    assertEquals("frompgpass", parse("").password());
  }

  @Test
  void pgpassFirstMatchingLineWins() throws IOException {
    pgpass("# comment:*:*:*:no\nother:*:*:*:wrong\nh:5432:d:u:first\n*:*:*:*:second\n");
    assertEquals("first", parse("host=h dbname=d user=u").password());
    assertEquals("second", parse("host=h dbname=d2 user=u").password());
  }

  @Test
  void pgpassWildcardsMatchWholeFieldsOnly() throws IOException {
    pgpass("h*:*:*:*:notwild\nh:*:d:*:wild\n");
    assertEquals("wild", parse("host=h port=7 dbname=d user=x").password());
    assertNull(parse("host=hx port=7 dbname=d user=x").password());
  }

  @Test
  void pgpassUnescapesColonsAndBackslashes() throws IOException {
    pgpass("db\\:host:5432:d\\\\b:u:pa\\:ss\\\\word:ignored\n");
    assertEquals("pa:ss\\word", parse("host=db:host dbname=d\\\\b user=u").password());
  }

  @Test
  void pgpassLocalhostMatchesUnixSocketHost() throws IOException {
    pgpass("localhost:5432:d:u:sockpw\n");
    assertEquals("sockpw", parse("host=/var/run/postgresql dbname=d user=u").password());
    assertEquals("sockpw", parse("dbname=d user=u").password(), "default host is localhost");
  }

  @Test
  void pgpassfileVariableOverridesHomeFile() throws IOException {
    pgpass("*:*:*:*:home\n");
    Path other = home.resolve("other.pgpass");
    Files.writeString(other, "*:*:*:*:other\n");
    Files.setPosixFilePermissions(other, PosixFilePermissions.fromString("r--------"));
    assertEquals("other", parse("", Map.of("PGPASSFILE", other.toString())).password());
  }

  @Test
  void pgpassWithGroupOrOtherAccessIsIgnoredWithAWarningNamingTheFile() throws IOException {
    Path f = pgpass("*:*:*:*:topsecret\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
    List<LogRecord> records = new ArrayList<>();
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger log = Logger.getLogger(PassFile.class.getName());
    log.addHandler(h);
    try {
      assertFalse(parse("").hasPassword());
    } finally {
      log.removeHandler(h);
    }
    assertEquals(1, records.size());
    String msg = records.get(0).getMessage();
    assertTrue(msg.contains(f.toString()), msg);
    assertTrue(msg.contains("group or world access"), msg);
    assertFalse(msg.contains("topsecret"), msg);
  }

  @Test
  void missingPgpassMeansNoPassword() {
    assertFalse(parse("").hasPassword());
    assertTrue(parse("").childEnv().isEmpty());
  }

  @Test
  void withDatabaseLooksUpThePasswordFileAgain() throws IOException {
    pgpass("*:*:a:*:pwa\n*:*:b:*:pwb\n");
    ConnSpec a = parse("dbname=a");
    assertEquals("pwa", a.password());
    ConnSpec b = a.withDatabase("b");
    assertEquals("b", b.database());
    assertEquals("pwb", b.password());
    assertEquals("given", parse("dbname=a password=given").withDatabase("b").password());
    assertEquals(a.host(), b.host());
  }

  // ---- child processes and messages -----------------------------------------------------------

  @Test
  void libpqConninfoQuotesEveryValueAndOmitsThePassword() {
    ConnSpec s = parse("postgresql://u:pw@h/it's%20a%5Cdb?options=-c%20x%3Dy&connect_timeout=5");
    String c = s.toLibpqConninfo();
    assertEquals(
        "host='h' port='5432' dbname='it\\'s a\\\\db' user='u' sslmode='prefer' application_name='cairn'"
            + " connect_timeout='5' options='-c x=y'",
        c);
    assertFalse(c.contains("pw"));
    ConnSpec back = parse(c, Map.of("PGPASSWORD", "pw"));
    assertEquals(s.database(), back.database());
    assertEquals(s.options(), back.options());
    assertEquals("pw", back.password());
  }

  @Test
  void childEnvCarriesOnlyThePassword() {
    assertEquals(Map.of("PGPASSWORD", "pw"), parse("password=pw").childEnv());
  }

  @Test
  void describeIsUserAtHostPortDatabase() {
    assertEquals("u@h:5433/d", parse("host=h port=5433 dbname=d user=u password=pw").describe());
  }

  @Test
  void toStringIsARedactedUriThatParsesBack() {
    ConnSpec s =
        parse("host=/tmp/s user='a b' password=secretpw dbname=d@x sslmode=require sslrootcert=/r.crt");
    String uri = s.toString();
    assertFalse(uri.contains("secretpw"), uri);
    assertTrue(uri.startsWith("postgresql://a%20b@%2Ftmp%2Fs:5432/d%40x?sslmode=require"), uri);
    ConnSpec back = parse(uri);
    assertEquals(s.host(), back.host());
    assertEquals(s.user(), back.user());
    assertEquals(s.database(), back.database());
    assertEquals(s.sslRootCert(), back.sslRootCert());
    assertEquals("postgresql://u@[fe80::1%25eth0]:5432/u?sslmode=prefer&application_name=cairn",
        parse("user=u host=fe80::1%eth0").toString());
  }

  // ---- vertx-pg-client ----------------------------------------------------------------------

  @Test
  void vertxOptionsCarryEveryValue() {
    PgConnectOptions o =
        parse("host=h port=6000 dbname=d user=u password=pw application_name=app options='-c a=b'")
            .toPgConnectOptions();
    assertEquals("h", o.getHost());
    assertEquals(6000, o.getPort());
    assertEquals("d", o.getDatabase());
    assertEquals("u", o.getUser());
    assertEquals("pw", o.getPassword());
    assertEquals("app", o.getProperties().get("application_name"));
    assertEquals("-c a=b", o.getProperties().get("options"));
    assertEquals("utf8", o.getProperties().get("client_encoding"), "vert.x defaults are kept");
  }

  @Test
  void vertxNeverSendsItsDefaultPassword() {
    assertEquals("", parse("").toPgConnectOptions().getPassword());
  }

  @Test
  void vertxDisableHasNoSslOptions() {
    PgConnectOptions o = parse("sslmode=disable").toPgConnectOptions();
    assertEquals(SslMode.DISABLE, o.getSslMode());
    assertNull(o.getSslOptions());
  }

  @Test
  void vertxAllowPreferAndRequireTrustAnyCertificateLikeLibpq() {
    for (String mode : List.of("allow", "prefer", "require")) {
      PgConnectOptions o = parse("sslmode=" + mode).toPgConnectOptions();
      assertEquals(SslMode.of(mode), o.getSslMode());
      ClientSSLOptions ssl = o.getSslOptions();
      assertTrue(ssl.isTrustAll(), mode);
      assertEquals("", ssl.getHostnameVerificationAlgorithm(), mode);
    }
  }

  @Test
  void vertxVerifyCaTrustsTheRootCertificateWithoutHostnameCheck() throws IOException {
    Path root = Files.writeString(home.resolve("root.pem"), "pem");
    PgConnectOptions o = parse("sslmode=verify-ca sslrootcert=" + root).toPgConnectOptions();
    assertEquals(SslMode.VERIFY_CA, o.getSslMode());
    ClientSSLOptions ssl = o.getSslOptions();
    assertFalse(ssl.isTrustAll());
    assertEquals(List.of(root.toString()), ((PemTrustOptions) ssl.getTrustOptions()).getCertPaths());
    assertEquals("", ssl.getHostnameVerificationAlgorithm());
  }

  @Test
  void vertxVerifyFullChecksTheHostnameAndUsesDefaultRootCertificate() throws IOException {
    Files.createDirectories(home.resolve(".postgresql"));
    Path root = Files.writeString(home.resolve(".postgresql/root.crt"), "pem");
    PgConnectOptions o = parse("sslmode=verify-full").toPgConnectOptions();
    assertEquals(SslMode.VERIFY_FULL, o.getSslMode());
    assertEquals("HTTPS", o.getSslOptions().getHostnameVerificationAlgorithm());
    assertEquals(
        List.of(root.toString()), ((PemTrustOptions) o.getSslOptions().getTrustOptions()).getCertPaths());
    assertEquals(root.toString(), parse("sslmode=verify-full").jdbcProperties().getProperty("sslrootcert"));
  }

  @Test
  void verifyModesWithoutRootCertificateFailInBothDrivers() {
    ConnSpec s = parse("sslmode=verify-ca");
    CairnException e = assertThrows(CairnException.class, s::toPgConnectOptions);
    assertEquals(ErrorCode.CONNINFO, e.code());
    assertEquals(
        "root certificate file \"" + home.resolve(".postgresql/root.crt")
            + "\" does not exist or is not readable: sslmode=verify-ca needs it to verify the server certificate",
        e.getMessage());
    assertNotNull(e.hint());
    assertThrows(CairnException.class, s::jdbcProperties);
    assertEquals(
        "sslrootcert=system is not supported",
        assertThrows(CairnException.class, parse("sslmode=verify-full sslrootcert=system")::toPgConnectOptions)
            .getMessage());
  }

  @Test
  void clientCertificateGoesToBothDrivers() {
    ConnSpec s = parse("sslmode=require sslcert=/c.crt sslkey=/c.key");
    PemKeyCertOptions kc = (PemKeyCertOptions) s.toPgConnectOptions().getSslOptions().getKeyCertOptions();
    assertEquals(List.of("/c.crt"), kc.getCertPaths());
    assertEquals(List.of("/c.key"), kc.getKeyPaths());
    Properties p = s.jdbcProperties();
    assertEquals("/c.crt", p.getProperty("sslcert"));
    assertEquals("/c.key", p.getProperty("sslkey"));
  }

  @Test
  void defaultClientCertificateIsUsedWhenBothFilesExist() throws IOException {
    Files.createDirectories(home.resolve(".postgresql"));
    Files.writeString(home.resolve(".postgresql/postgresql.crt"), "c");
    Files.writeString(home.resolve(".postgresql/postgresql.key"), "k");
    PemKeyCertOptions kc =
        (PemKeyCertOptions) parse("").toPgConnectOptions().getSslOptions().getKeyCertOptions();
    assertEquals(List.of(home.resolve(".postgresql/postgresql.crt").toString()), kc.getCertPaths());
  }

  // ---- pgjdbc -------------------------------------------------------------------------------

  @Test
  void jdbcUrlAndPropertiesCarryEveryValue() throws Exception {
    ConnSpec s =
        parse("host=h port=6000 dbname='a b+c/é' user=u password=pw application_name=app"
            + " connect_timeout=9 options='-c a=b' sslmode=require");
    assertEquals("jdbc:postgresql://h:6000/a%20b%2Bc%2F%C3%A9", s.jdbcUrl());
    Properties parsed = org.postgresql.Driver.parseURL(s.jdbcUrl(), new Properties());
    assertEquals("a b+c/é", parsed.getProperty("PGDBNAME"));
    assertEquals("h", parsed.getProperty("PGHOST"));
    assertEquals("6000", parsed.getProperty("PGPORT"));
    Properties p = s.jdbcProperties();
    assertEquals("u", p.getProperty("user"));
    assertEquals("pw", p.getProperty("password"));
    assertEquals("require", p.getProperty("sslmode"));
    assertEquals("app", p.getProperty("ApplicationName"));
    assertEquals("9", p.getProperty("connectTimeout"));
    assertEquals("-c a=b", p.getProperty("options"));
    assertEquals("true", p.getProperty("tcpKeepAlive"));
    assertEquals("12", p.getProperty("assumeMinServerVersion"));
    assertNull(p.getProperty("prepareThreshold"));
    assertNull(p.getProperty("sslfactory"));
  }

  @Test
  void jdbcIpv6HostIsBracketed() throws Exception {
    String url = parse("host=::1 dbname=d").jdbcUrl();
    assertEquals("jdbc:postgresql://[::1]:5432/d", url);
    assertEquals("[::1]", org.postgresql.Driver.parseURL(url, new Properties()).getProperty("PGHOST"));
  }

  @Test
  void pgjdbcRequireDoesNotVerifyTheCertificateSoNoSslFactoryIsNeeded() {
    // pins the pgjdbc behaviour jdbcProperties relies on: LibPQFactory verifies only verify-ca/full
    assertFalse(org.postgresql.jdbc.SslMode.REQUIRE.verifyCertificate());
    assertFalse(org.postgresql.jdbc.SslMode.PREFER.verifyCertificate());
    assertTrue(org.postgresql.jdbc.SslMode.VERIFY_CA.verifyCertificate());
  }

  @Test
  void jdbcWithoutPasswordHasNoPasswordProperty() {
    assertNull(parse("").jdbcProperties().getProperty("password"));
  }

  @Test
  void jdbcOverAUnixSocketGoesThroughTheSocketFactoryWithoutTls() {
    ConnSpec s = parse("host=/var/run/postgresql port=5433 dbname=app sslmode=verify-full");
    assertEquals("jdbc:postgresql://localhost:5433/app", s.jdbcUrl());
    Properties p = s.jdbcProperties();
    assertEquals(UnixSocketFactory.class.getName(), p.getProperty("socketFactory"));
    assertEquals("/var/run/postgresql/.s.PGSQL.5433", p.getProperty("socketFactoryArg"));
    // libpq ignores sslmode on a unix socket (no root certificate is needed either): so do both drivers
    assertEquals("disable", p.getProperty("sslmode"));
    assertEquals("disable", p.getProperty("gssEncMode"));
    assertNull(p.getProperty("sslrootcert"));
    assertEquals(SslMode.DISABLE, s.toPgConnectOptions().getSslMode());
    assertEquals("/var/run/postgresql", s.toPgConnectOptions().getHost());
  }

  @Test
  void hostaddrAloneIsTheHost() {
    ConnSpec s = parse("hostaddr=10.0.0.1");
    assertEquals("10.0.0.1", s.host());
    assertEquals("10.0.0.1", s.toPgConnectOptions().getHost());
  }

  @Test
  void hostaddrIsDialledAndHostNamesTheServer() throws IOException {
    pgpass("db.example.com:*:*:*:byname\n");
    ConnSpec s = parse("host=db.example.com hostaddr=10.0.0.1");
    assertEquals("byname", s.password());
    assertEquals("10.0.0.1", s.toPgConnectOptions().getHost());
    assertEquals("jdbc:postgresql://10.0.0.1:5432/" + s.user(), s.jdbcUrl());
    assertTrue(s.toLibpqConninfo().contains("host='db.example.com' hostaddr='10.0.0.1'"));
  }

  @Test
  void hostaddrWithHostAndVerifyFullIsRejected() throws IOException {
    Path root = Files.writeString(home.resolve("root.pem"), "pem");
    ConnSpec s = parse("host=h hostaddr=10.0.0.1 sslmode=verify-full sslrootcert=" + root);
    CairnException e = assertThrows(CairnException.class, s::toPgConnectOptions);
    assertEquals("hostaddr together with host is not supported with sslmode=verify-full", e.getMessage());
  }

  @Test
  void nothingRenderedContainsThePassword() {
    ConnSpec s = parse("postgresql://u:Sup3rS3cret@h/d");
    for (String out : List.of(s.toString(), s.describe(), s.toLibpqConninfo())) {
      assertFalse(out.contains("Sup3rS3cret"), out);
    }
  }
}
