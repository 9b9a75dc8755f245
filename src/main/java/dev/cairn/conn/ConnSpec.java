package dev.cairn.conn;

import static dev.cairn.conn.ConninfoParser.encode;
import static dev.cairn.conn.ConninfoParser.error;
import static dev.cairn.conn.ConninfoParser.quote;

import io.vertx.pgclient.PgConnectOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * One PostgreSQL connection, parsed the way libpq does, that builds the options of both drivers
 * (vertx-pg-client, pgjdbc) and of child processes (pg_dump, pg_restore, psql). Immutable.
 *
 * <p>Supported libpq behaviours:
 *
 * <ul>
 *   <li>{@code postgresql://} and {@code postgres://} URIs: {@code user:password@}, host, {@code
 *       [ipv6]}, port, {@code /dbname}, {@code ?key=value&...} query parameters (which win over the
 *       netloc), percent-decoding everywhere ({@code %00} and malformed escapes rejected), a
 *       percent-encoded unix socket directory as host or {@code ?host=/dir};
 *   <li>{@code key=value} strings: blanks around {@code =}, single-quoted values, {@code \'} and
 *       {@code \\} escapes (in unquoted values too); the last occurrence of a key wins; a string
 *       without any {@code =} is a database name (as psql treats its argument);
 *   <li>options host, hostaddr, port, dbname, user, password, sslmode, sslrootcert, sslcert, sslkey,
 *       application_name, connect_timeout, options; anything else is an error;
 *   <li>an option missing from the string comes from PGHOST, PGHOSTADDR, PGPORT, PGDATABASE, PGUSER,
 *       PGPASSWORD, PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY, PGAPPNAME, PGCONNECT_TIMEOUT,
 *       PGOPTIONS; an option given empty in the string blocks the variable, as in libpq; an empty value
 *       means "use the default";
 *   <li>defaults: port 5432, user = OS user ({@code user.name}), dbname = user, sslmode prefer,
 *       application_name "cairn". <b>Difference:</b> libpq defaults the host to its compiled-in unix
 *       socket directory; Cairn defaults to TCP {@code localhost};
 *   <li>password: string &gt; PGPASSWORD &gt; password file (PGPASSFILE or {@code ~/.pgpass}),
 *       looked up again by {@link #withDatabase}; a password file with group or other permissions is
 *       ignored with a warning; {@code localhost} entries match any unix-socket host (libpq: only its
 *       default socket directory);
 *   <li>sslmode disable, allow, prefer, require, verify-ca, verify-full with libpq's meaning: the
 *       certificate is verified only by verify-ca and verify-full (root certificate sslrootcert, default
 *       {@code ~/.postgresql/root.crt}); client certificate sslcert/sslkey, default {@code
 *       ~/.postgresql/postgresql.crt}/{@code .key} when both exist; connect_timeout 1 counts as 2,
 *       0 or negative as none;
 *   <li>a unix socket directory as host ({@code host=/var/run/postgresql}, for peer authentication):
 *       vertx-pg-client connects to its {@code .s.PGSQL.<port>} file, pgjdbc through {@link
 *       UnixSocketFactory}; as libpq, sslmode is ignored there (no TLS over a unix socket).
 * </ul>
 *
 * <p>Not supported: several hosts or ports, service files (PGSERVICE), {@code passfile} and other
 * libpq options, {@code sslrootcert=system}, a {@code dbname} that is itself a connection string,
 * and abstract unix sockets. The password never appears in {@link
 * #toString}, {@link #describe}, {@link #toLibpqConninfo} or any error message.
 */
public final class ConnSpec {
  static final String DEFAULT_HOST = "localhost";
  static final int DEFAULT_PORT = 5432;
  static final String DEFAULT_SSLMODE = "prefer";
  static final String DEFAULT_APPLICATION_NAME = "cairn";
  static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  private final String host;
  private final String hostaddr;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  /** The password file to consult again when the database changes; null if the password was given. */
  private final Path passFile;
  private final String sslMode;
  private final String sslRootCert;
  private final String sslCert;
  private final String sslKey;
  private final String applicationName;
  private final int connectTimeoutSeconds;
  private final String options;
  private final Path homeDir;

  private ConnSpec(Builder b) {
    this.host = b.host;
    this.hostaddr = b.hostaddr;
    this.port = b.port;
    this.database = b.database;
    this.user = b.user;
    this.sslMode = b.sslMode;
    this.sslRootCert = b.sslRootCert;
    this.sslCert = b.sslCert;
    this.sslKey = b.sslKey;
    this.applicationName = b.applicationName;
    this.connectTimeoutSeconds = b.connectTimeoutSeconds;
    this.options = b.options;
    this.homeDir = b.homeDir;
    if (b.password != null) {
      this.password = b.password;
      this.passFile = null;
    } else {
      this.passFile = b.passFile;
      this.password =
          PassFile.lookup(b.passFile, host != null ? host : hostaddr, port, database, user);
    }
  }

  /** Parses with the process environment, {@code user.home} and {@code user.name}. */
  public static ConnSpec parse(String conninfo) {
    return parse(conninfo, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * Parses a URI or key=value string; missing values come from env (PG* variables) and defaults;
   * homeDir locates {@code .pgpass} and {@code .postgresql/}.
   *
   * @throws dev.cairn.error.CairnException with code CONNINFO when the string is invalid
   */
  public static ConnSpec parse(String conninfo, Map<String, String> env, Path homeDir) {
    Map<String, String> given = ConninfoParser.parse(conninfo);
    Resolver r = new Resolver(given, env);
    Builder b = new Builder();
    b.homeDir = homeDir;
    b.host = r.get("host", "PGHOST");
    b.hostaddr = r.get("hostaddr", "PGHOSTADDR");
    if ((b.host != null && b.host.indexOf(',') >= 0) || (b.hostaddr != null && b.hostaddr.indexOf(',') >= 0)) {
      throw ConninfoParser.multipleHosts();
    }
    if (b.host == null && b.hostaddr == null) {
      b.host = DEFAULT_HOST;
    }
    b.port = parsePort(r.get("port", "PGPORT"));
    b.user = r.get("user", "PGUSER");
    if (b.user == null) {
      b.user = System.getProperty("user.name");
    }
    b.database = r.get("dbname", "PGDATABASE");
    if (b.database == null) {
      b.database = b.user;
    }
    b.sslMode = r.get("sslmode", "PGSSLMODE");
    if (b.sslMode == null) {
      b.sslMode = DEFAULT_SSLMODE;
    } else if (!SSL_MODES.contains(b.sslMode)) {
      throw error(
          "invalid sslmode \"" + b.sslMode + "\": valid values are " + String.join(", ", SSL_MODES), null);
    }
    b.sslRootCert = r.get("sslrootcert", "PGSSLROOTCERT");
    b.sslCert = r.get("sslcert", "PGSSLCERT");
    b.sslKey = r.get("sslkey", "PGSSLKEY");
    b.applicationName = r.get("application_name", "PGAPPNAME");
    if (b.applicationName == null) {
      b.applicationName = DEFAULT_APPLICATION_NAME;
    }
    b.connectTimeoutSeconds = parseConnectTimeout(r.get("connect_timeout", "PGCONNECT_TIMEOUT"));
    b.options = r.get("options", "PGOPTIONS");
    b.password = r.get("password", "PGPASSWORD");
    if (b.password == null) {
      String pgpassfile = env.get("PGPASSFILE");
      b.passFile =
          pgpassfile != null && !pgpassfile.isEmpty()
              ? Path.of(pgpassfile)
              : homeDir == null ? null : homeDir.resolve(".pgpass");
    }
    return new ConnSpec(b);
  }

  private static int parsePort(String value) {
    if (value == null) {
      return DEFAULT_PORT;
    }
    if (value.indexOf(',') >= 0) {
      throw ConninfoParser.multipleHosts();
    }
    int p = parseInt(value);
    if (p < 1 || p > 65535) {
      // a non-number may be a password that lost its "@" (postgresql://user:secret/db): never echo it
      String shown = p == Integer.MIN_VALUE ? "" : " \"" + value + "\"";
      throw error("invalid port" + shown + ": must be an integer from 1 to 65535", null);
    }
    return p;
  }

  private static int parseConnectTimeout(String value) {
    if (value == null) {
      return 0;
    }
    int t = parseInt(value);
    if (t == Integer.MIN_VALUE) {
      throw error(
          "invalid connect_timeout " + ConninfoParser.shown(value) + ": must be an integer number of seconds",
          null);
    }
    return t <= 0 ? 0 : Math.max(t, 2); // libpq: 0 or negative waits forever, 1 counts as 2
  }

  /** The integer, or Integer.MIN_VALUE if the text is not one. */
  private static int parseInt(String value) {
    if (!value.matches("[+-]?[0-9]{1,9}")) {
      return Integer.MIN_VALUE;
    }
    return Integer.parseInt(value);
  }

  static boolean isUnixSocket(String host) {
    return host != null && host.startsWith("/");
  }

  // ---- accessors ----------------------------------------------------------------------------

  /** The host name, IP address or unix socket directory (starts with "/"). */
  public String host() {
    return host != null ? host : hostaddr;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  public String user() {
    return user;
  }

  /** One of disable, allow, prefer, require, verify-ca, verify-full. */
  public String sslMode() {
    return sslMode;
  }

  public boolean hasPassword() {
    return password != null;
  }

  /** connect_timeout in seconds, 0 for none: {@link PgConnect} applies it to both drivers. */
  public int connectTimeoutSeconds() {
    return connectTimeoutSeconds;
  }

  String hostaddr() {
    return hostaddr;
  }

  String password() {
    return password;
  }

  String applicationName() {
    return applicationName;
  }

  String sslRootCert() {
    return sslRootCert;
  }

  String sslCert() {
    return sslCert;
  }

  String sslKey() {
    return sslKey;
  }

  String options() {
    return options;
  }

  Path homeDir() {
    return homeDir;
  }

  /** The address the drivers connect to: hostaddr when given, else host. */
  String connectHost() {
    return hostaddr != null ? hostaddr : host;
  }

  boolean usesUnixSocket() {
    return hostaddr == null && isUnixSocket(host);
  }

  /** Same connection to another database; a password from the password file is looked up again. */
  public ConnSpec withDatabase(String db) {
    if (db == null || db.isEmpty()) {
      throw error("database name must not be empty", null);
    }
    Builder b = new Builder();
    b.host = host;
    b.hostaddr = hostaddr;
    b.port = port;
    b.database = db;
    b.user = user;
    b.password = passFile == null ? password : null;
    b.passFile = passFile;
    b.sslMode = sslMode;
    b.sslRootCert = sslRootCert;
    b.sslCert = sslCert;
    b.sslKey = sslKey;
    b.applicationName = applicationName;
    b.connectTimeoutSeconds = connectTimeoutSeconds;
    b.options = options;
    b.homeDir = homeDir;
    return new ConnSpec(b);
  }

  // ---- outputs ------------------------------------------------------------------------------

  /** Options for vertx-pg-client: see {@link DriverOptions#pgConnectOptions}. */
  public PgConnectOptions toPgConnectOptions() {
    return DriverOptions.pgConnectOptions(this);
  }

  /** {@code jdbc:postgresql://host:port/db}; everything else is in {@link #jdbcProperties()}. */
  public String jdbcUrl() {
    return DriverOptions.jdbcUrl(this);
  }

  /** pgjdbc properties, the password among them: never log them. */
  public Properties jdbcProperties() {
    return DriverOptions.jdbcProperties(this);
  }

  /**
   * A libpq key=value string with every value quoted, for {@code pg_dump --dbname=...}: no password
   * (give {@link #childEnv()} to the process).
   */
  public String toLibpqConninfo() {
    StringBuilder sb = new StringBuilder();
    if (host != null) {
      kv(sb, "host", host);
    }
    if (hostaddr != null) {
      kv(sb, "hostaddr", hostaddr);
    }
    kv(sb, "port", Integer.toString(port));
    kv(sb, "dbname", database);
    kv(sb, "user", user);
    kv(sb, "sslmode", sslMode);
    if (sslRootCert != null) {
      kv(sb, "sslrootcert", sslRootCert);
    }
    if (sslCert != null) {
      kv(sb, "sslcert", sslCert);
    }
    if (sslKey != null) {
      kv(sb, "sslkey", sslKey);
    }
    kv(sb, "application_name", applicationName);
    if (connectTimeoutSeconds > 0) {
      kv(sb, "connect_timeout", Integer.toString(connectTimeoutSeconds));
    }
    if (options != null) {
      kv(sb, "options", options);
    }
    return sb.toString();
  }

  private static void kv(StringBuilder sb, String key, String value) {
    if (sb.length() > 0) {
      sb.append(' ');
    }
    sb.append(key).append('=').append(quote(value));
  }

  /**
   * Environment additions for a child process started with {@link #toLibpqConninfo()}: PGPASSWORD
   * when a password is known, nothing else. Start the child from an environment without inherited
   * PG* variables so that only this spec applies.
   */
  public Map<String, String> childEnv() {
    return password == null ? Map.of() : Map.of("PGPASSWORD", password);
  }

  /** "user@host:port/db" for messages. */
  public String describe() {
    return user + "@" + hostForDisplay(host()) + ":" + port + "/" + database;
  }

  private static String hostForDisplay(String h) {
    return h.indexOf(':') >= 0 && !isUnixSocket(h) ? "[" + h + "]" : h;
  }

  /** A postgresql:// URI without the password; parsing it gives this spec back (minus password). */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("postgresql://").append(encode(user)).append('@');
    if (host != null) {
      if (isIpv6Literal(host)) {
        sb.append('[').append(host.replace("%", "%25")).append(']');
      } else {
        sb.append(encode(host));
      }
    }
    sb.append(':').append(port).append('/').append(encode(database));
    sb.append("?sslmode=").append(sslMode);
    param(sb, "hostaddr", hostaddr);
    param(sb, "sslrootcert", sslRootCert);
    param(sb, "sslcert", sslCert);
    param(sb, "sslkey", sslKey);
    param(sb, "application_name", applicationName);
    param(sb, "connect_timeout", connectTimeoutSeconds > 0 ? Integer.toString(connectTimeoutSeconds) : null);
    param(sb, "options", options);
    return sb.toString();
  }

  private static void param(StringBuilder sb, String key, String value) {
    if (value != null) {
      sb.append('&').append(key).append('=').append(encode(value));
    }
  }

  static boolean isIpv6Literal(String h) {
    return h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.]+(%[^\\]]+)?");
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static final class Builder {
    String host;
    String hostaddr;
    int port;
    String database;
    String user;
    String password;
    Path passFile;
    String sslMode;
    String sslRootCert;
    String sslCert;
    String sslKey;
    String applicationName;
    int connectTimeoutSeconds;
    String options;
    Path homeDir;
  }

  /** libpq's precedence: a key in the string (even empty) blocks its variable; empty means unset. */
  private static final class Resolver {
    private final Map<String, String> given;
    private final Map<String, String> env;

    Resolver(Map<String, String> given, Map<String, String> env) {
      this.given = given;
      this.env = env;
    }

    String get(String key, String envVar) {
      String v = given.containsKey(key) ? given.get(key) : env.get(envVar);
      return v == null || v.isEmpty() ? null : v;
    }
  }
}
