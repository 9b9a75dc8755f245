package dev.cairn.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for tests: real server binaries, a fresh data directory in a
 * temporary directory, a free port on 127.0.0.1, TLS with a self-signed certificate, and the test
 * roles below. {@link #shared()} gives the one cluster of this JVM; a shutdown hook (and, should the
 * JVM be killed, a watchdog process) stops it and deletes its directory.
 *
 * <p>Roles: {@code postgres} (superuser, trust), {@link #MD5_USER} (md5), {@link #SCRAM_USER}
 * (scram-sha-256), {@link #SSL_USER} (scram-sha-256, TLS only), {@link #READER_USER} (scram-sha-256,
 * member of pg_read_all_data, not superuser), {@link #PEER_USER} (peer authentication on the unix socket
 * for the OS user running the tests: no password anywhere; member of pg_read_all_data, may create
 * databases) and {@link #APP_ROLE} (NOLOGIN, for GRANT tests).
 */
public final class PgCluster implements AutoCloseable {

  public static final String HOST = "127.0.0.1";
  public static final String SUPERUSER = "postgres";
  public static final String MD5_USER = "cairn_md5";
  public static final String MD5_PASSWORD = "md5-secret";
  public static final String SCRAM_USER = "cairn_scram";
  public static final String SCRAM_PASSWORD = "scram-secret";
  public static final String SSL_USER = "cairn_ssl";
  public static final String SSL_PASSWORD = "ssl-secret";
  public static final String READER_USER = "cairn_reader";
  public static final String READER_PASSWORD = "reader-secret";
  /** Logs in over the unix socket only, by peer authentication of the OS user running the tests. */
  public static final String PEER_USER = "cairn_peer";
  /** A NOLOGIN role that fixtures grant privileges to and make owner of objects. */
  public static final String APP_ROLE = "cairn_app";

  private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration PSQL_TIMEOUT = Duration.ofMinutes(10);
  private static final String OS_USER = "postgres";
  private static final AtomicInteger DB_SEQ = new AtomicInteger();
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern PASSWORD_LITERAL =
      Pattern.compile("(?i)(PASSWORD\\s+)'(?:[^']|'')*'");

  private static final Object LOCK = new Object();
  private static volatile PgCluster shared;
  private static RuntimeException sharedFailure;

  private final Path binDir;
  private final Path baseDir;
  private final Path dataDir;
  private final Path socketDir;
  private final Path logFile;
  private final Path caCert;
  private final boolean root;
  private int port;
  private volatile boolean stopped;

  /** The cluster of this JVM, started on first use. Thread-safe; a start failure is remembered. */
  public static PgCluster shared() {
    PgCluster c = shared;
    if (c != null) {
      return c;
    }
    synchronized (LOCK) {
      if (shared != null) {
        return shared;
      }
      if (sharedFailure != null) {
        throw new IllegalStateException("the shared PostgreSQL cluster failed to start earlier",
            sharedFailure);
      }
      try {
        shared = startNew();
        return shared;
      } catch (RuntimeException e) {
        sharedFailure = e;
        throw e;
      }
    }
  }

  /**
   * Starts a cluster of its own (for a test that must stop, restart or break it). The caller closes
   * it; a shutdown hook closes it too.
   */
  public static PgCluster startNew() {
    PgCluster c = new PgCluster(findBinDir());
    try {
      c.start();
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private PgCluster(Path binDir) {
    this.binDir = binDir;
    this.root = ProcessHandle.current().info().user().map("root"::equals).orElse(false);
    try {
      baseDir = Files.createTempDirectory(tempRoot(root), "cairn-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for PostgreSQL", e);
    }
    dataDir = baseDir.resolve("data");
    socketDir = baseDir.resolve("sock");
    logFile = baseDir.resolve("postgres.log");
    caCert = baseDir.resolve("ssl").resolve("server.crt");
  }

  // ---------------------------------------------------------------------------------------- API

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  /** Directory of the server's unix socket (connect with host=socketDir()). */
  public Path socketDir() {
    return socketDir;
  }

  public Path binDir() {
    return binDir;
  }

  /** The server log (everything the postmaster writes to stderr). */
  public Path logFile() {
    return logFile;
  }

  /** The server's self-signed certificate (CN=localhost, SAN localhost and 127.0.0.1), world-readable. */
  public Path caCert() {
    return caCert;
  }

  public Path pgDump() {
    return binDir.resolve("pg_dump");
  }

  public Path pgRestore() {
    return binDir.resolve("pg_restore");
  }

  public Path psqlBinary() {
    return binDir.resolve("psql");
  }

  /** {@code postgresql://postgres@127.0.0.1:PORT/db}. */
  public String conninfo(String db) {
    return "postgresql://" + SUPERUSER + "@" + HOST + ":" + port + "/"
        + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** A pgjdbc URL for the superuser without TLS. */
  public String jdbcUrl(String db) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/"
        + URLEncoder.encode(db, StandardCharsets.UTF_8).replace("+", "%20")
        + "?user=" + SUPERUSER + "&sslmode=disable&ApplicationName=cairn-testkit";
  }

  /** A new pgjdbc connection as the superuser; the caller closes it. */
  public Connection connect(String db) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(db));
  }

  /** {@code SHOW server_version_num}, e.g. 150018. */
  public int serverVersionNum() {
    return Integer.parseInt(psql("postgres", "SHOW server_version_num").strip());
  }

  /** Creates an empty database with a unique name starting with {@code prefix}; returns the name. */
  public String newDatabase(String prefix) {
    String name = uniqueName(prefix);
    psql("postgres", "CREATE DATABASE " + quoteIdent(name));
    return name;
  }

  /**
   * Creates a copy of {@code template} (CREATE DATABASE ... TEMPLATE), first ending other sessions
   * connected to it; returns the new name.
   */
  public String cloneDatabase(String template, String prefix) {
    String name = uniqueName(prefix);
    psql("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = "
        + quoteLiteral(template) + " AND pid <> pg_backend_pid();\n"
        + "CREATE DATABASE " + quoteIdent(name) + " TEMPLATE " + quoteIdent(template) + ";");
    return name;
  }

  /** Drops the database if it exists, ending its sessions. */
  public void dropDatabase(String db) {
    psql("postgres", "DROP DATABASE IF EXISTS " + quoteIdent(db) + " WITH (FORCE)");
  }

  /**
   * Runs {@code sql} with psql ({@code -X -q -v ON_ERROR_STOP=1 -At}) as the superuser over TCP and
   * returns stdout without its trailing newlines. Throws IllegalStateException with stderr on failure.
   */
  public String psql(String db, String sql) {
    ProcessRunner.Result r = ProcessRunner.run(psqlCommand(SUPERUSER, db, List.of()),
        clientEnv(null, "disable"), sql.getBytes(StandardCharsets.UTF_8), baseDir, PSQL_TIMEOUT);
    if (!r.ok()) {
      throw new IllegalStateException("psql on database " + db + " failed (exit " + r.exitCode()
          + "):\n" + redact(r.stderr().strip()));
    }
    return stripTrailingNewlines(r.stdout());
  }

  /** Runs an SQL file with psql as the superuser (ON_ERROR_STOP); throws with stderr on failure. */
  public void psqlFile(String db, Path file) {
    ProcessRunner.Result r = ProcessRunner.run(
        psqlCommand(SUPERUSER, db, List.of("-f", file.toAbsolutePath().toString())),
        clientEnv(null, "disable"), null, baseDir, PSQL_TIMEOUT);
    if (!r.ok()) {
      throw new IllegalStateException("psql -f " + file + " on database " + db + " failed (exit "
          + r.exitCode() + "):\n" + redact(r.stderr().strip()));
    }
  }

  /**
   * Runs {@code sql} with psql as {@code user} over TCP with the password in PGPASSWORD and the given
   * sslmode (for verify-ca/verify-full the root certificate is {@link #caCert()}). Never throws for a
   * failed connection: the result carries the exit code and stderr.
   */
  public ProcessRunner.Result psqlAs(String user, String password, String sslmode, String db,
      String sql) {
    Map<String, String> env = clientEnv(password, sslmode);
    if (sslmode.startsWith("verify")) {
      env.put("PGSSLROOTCERT", caCert.toString());
    }
    return ProcessRunner.run(psqlCommand(user, db, List.of()), env,
        sql.getBytes(StandardCharsets.UTF_8), baseDir, Duration.ofMinutes(2));
  }

  /**
   * {@code pg_dump --schema-only} of {@code db}, without the restrict/unrestrict meta-commands
   * lines (random per run) and without comment lines.
   */
  public String schemaDump(String db) {
    ProcessRunner.Result r = ProcessRunner.run(
        List.of(pgDump().toString(), "--schema-only", "-h", HOST, "-p", String.valueOf(port), "-U",
            SUPERUSER, "-d", dbConninfo(db)),
        clientEnv(null, "disable"), null, baseDir, PSQL_TIMEOUT).check();
    return r.stdout().lines()
        .filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict") && !l.startsWith("--"))
        .collect(Collectors.joining("\n", "", "\n"));
  }

  /**
   * Environment for a libpq client program (psql, pg_dump, pg_restore) of this cluster: PGHOST,
   * PGPORT, PGUSER=postgres (a program given -U overrides it), PGSSLMODE, no passfile, and PGPASSWORD when {@code password} is not null.
   */
  public Map<String, String> clientEnv(String password, String sslmode) {
    Map<String, String> env = new HashMap<>();
    env.put("PGHOST", HOST);
    env.put("PGPORT", String.valueOf(port));
    env.put("PGUSER", SUPERUSER);
    env.put("PGSSLMODE", sslmode);
    env.put("PGCONNECT_TIMEOUT", "20");
    env.put("PGAPPNAME", "cairn-testkit");
    env.put("PGPASSFILE", baseDir.resolve("no-such-passfile").toString());
    if (password != null) {
      env.put("PGPASSWORD", password);
    }
    return env;
  }

  /** Stops (fast) and starts the server again on the same port. */
  public void restart() {
    pgCtl(List.of("stop", "-m", "fast", "-w", "-t", "120")).check();
    ProcessRunner.Result r = pgCtlStart();
    if (!r.ok()) {
      throw new IllegalStateException("PostgreSQL did not restart on port " + port + "; server log:\n"
          + logTail());
    }
  }

  /** Stops the server (immediate) and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      if (Files.exists(dataDir.resolve("postmaster.pid"))) {
        pgCtl(List.of("stop", "-m", "immediate", "-w", "-t", "60"));
      }
    } catch (RuntimeException e) {
      System.err.println("cairn testkit: could not stop PostgreSQL in " + dataDir + ": " + e.getMessage());
    }
    deleteTree(baseDir);
  }

  @Override
  public String toString() {
    return "PgCluster[" + HOST + ":" + port + ", " + baseDir + "]";
  }

  // ------------------------------------------------------------------------------------- startup

  private void start() {
    try {
      Files.setPosixFilePermissions(baseDir, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createDirectories(socketDir);
      Files.createDirectories(caCert.getParent());
      Files.createFile(logFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare " + baseDir, e);
    }
    makeCertificate();
    if (root) {
      chownTree(baseDir);
    }
    initdb();
    writeConfig();
    startOnFreePort();
    createRoles();
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "cairn-pg-stop"));
    startWatchdog();
    System.err.println("cairn testkit: PostgreSQL from " + binDir + " listening on " + HOST + ":" + port
        + " (" + baseDir + ")");
  }

  /** Highest /usr/lib/postgresql/N/bin holding postgres, else {@code pg_config --bindir}. */
  static Path findBinDir() {
    String override = System.getenv("CAIRN_PG_BINDIR");
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override);
      if (Files.isExecutable(p.resolve("postgres"))) {
        return p;
      }
      throw new IllegalStateException("CAIRN_PG_BINDIR=" + override + " holds no postgres binary");
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> s = Files.list(debian)) {
        Optional<Path> best = s.filter(d -> d.getFileName().toString().matches("\\d+(\\.\\d+)?"))
            .filter(d -> Files.isExecutable(d.resolve("bin/postgres")))
            .max(Comparator.comparingDouble(d -> Double.parseDouble(d.getFileName().toString())));
        if (best.isPresent()) {
          return best.get().resolve("bin");
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + debian, e);
      }
    }
    try {
      ProcessRunner.Result r = ProcessRunner.run(List.of("pg_config", "--bindir"), Map.of(), null, null,
          Duration.ofSeconds(30));
      if (r.ok()) {
        Path p = Path.of(r.stdout().strip());
        if (Files.isExecutable(p.resolve("postgres"))) {
          return p;
        }
      }
    } catch (RuntimeException notInstalled) {
      // fall through to the error below
    }
    throw new IllegalStateException("no PostgreSQL server binaries found: looked for"
        + " /usr/lib/postgresql/*/bin/postgres and pg_config --bindir; install the postgresql package"
        + " (scripts/test does) or set CAIRN_PG_BINDIR");
  }

  private static Path tempRoot(boolean root) {
    String override = System.getenv("CAIRN_TEST_TMPDIR");
    Path t = Path.of(override != null && !override.isBlank() ? override
        : System.getProperty("java.io.tmpdir")).toAbsolutePath();
    if (root && !traversableByOthers(t)) {
      return Path.of("/tmp"); // the postgres OS user must reach its data directory
    }
    return t;
  }

  private static boolean traversableByOthers(Path dir) {
    try {
      for (Path p = dir; p != null; p = p.getParent()) {
        if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      }
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  private void makeCertificate() {
    Path key = caCert.resolveSibling("server.key");
    ProcessRunner.run(List.of("openssl", "req", "-new", "-x509", "-days", "3650", "-nodes",
            "-newkey", "rsa:2048", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout", key.toString(), "-out", caCert.toString()),
        Map.of(), null, baseDir, Duration.ofMinutes(2)).check();
    try {
      Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      Files.setPosixFilePermissions(caCert, PosixFilePermissions.fromString("rw-r--r--"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set permissions on " + key, e);
    }
  }

  private void initdb() {
    ProcessRunner.Result r = initdb("C.UTF-8");
    if (!r.ok()) {
      deleteTree(dataDir);
      r = initdb("C");
    }
    r.check();
  }

  private ProcessRunner.Result initdb(String locale) {
    return ProcessRunner.run(asPostgres(List.of(binDir.resolve("initdb").toString(), "-D",
            dataDir.toString(), "-A", "trust", "-U", SUPERUSER, "--no-sync", "-E", "UTF8",
            "--locale=" + locale)),
        Map.of(), null, baseDir, PG_CTL_TIMEOUT);
  }

  private void writeConfig() {
    String hba = String.join("\n",
        "# written by dev.cairn.testkit.PgCluster; order matters",
        "local all " + PEER_USER + " peer map=cairn",
        "local all all trust",
        "hostnossl all " + SSL_USER + " 127.0.0.1/32 reject",
        "host all " + MD5_USER + " 127.0.0.1/32 md5",
        "host all " + SCRAM_USER + " 127.0.0.1/32 scram-sha-256",
        "host all " + SSL_USER + " 127.0.0.1/32 scram-sha-256",
        "host all " + READER_USER + " 127.0.0.1/32 scram-sha-256",
        "host all all 127.0.0.1/32 trust",
        "local replication all trust", // pg_receivewal and pg_basebackup (point-in-time recovery)
        "host replication all 127.0.0.1/32 trust",
        "");
    try {
      Files.writeString(dataDir.resolve("pg_hba.conf"), hba);
      Files.writeString(dataDir.resolve("pg_ident.conf"), "cairn " + System.getProperty("user.name") + " "
          + PEER_USER + "\n");
      Files.writeString(dataDir.resolve("postgresql.conf"), "\ninclude 'cairn.conf'\n",
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the configuration in " + dataDir, e);
    }
  }

  private void writePortConfig(int p) {
    String conf = String.join("\n",
        "# written by dev.cairn.testkit.PgCluster: fast and unsafe, for tests only",
        "listen_addresses = '" + HOST + "'",
        "port = " + p,
        "unix_socket_directories = '" + socketDir + "'",
        "fsync = off",
        "synchronous_commit = off",
        "full_page_writes = off",
        "max_connections = 100",
        "shared_buffers = 128MB",
        "ssl = on",
        "ssl_cert_file = '" + caCert + "'",
        "ssl_key_file = '" + caCert.resolveSibling("server.key") + "'",
        "logging_collector = off",
        "log_line_prefix = '%m [%p] %q%u@%d '",
        "");
    try {
      Path f = dataDir.resolve("cairn.conf");
      Files.writeString(f, conf);
      if (root) {
        chown(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dataDir.resolve("cairn.conf"), e);
    }
  }

  private void startOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      port = freePort();
      writePortConfig(port);
      ProcessRunner.Result r = pgCtlStart();
      if (r.ok()) {
        return;
      }
      String log = logTail();
      boolean clash = log.contains("could not bind") || log.contains("Address already in use")
          || log.contains("could not create any TCP/IP sockets");
      if (!clash || attempt >= 5) {
        throw new IllegalStateException("PostgreSQL did not start on port " + port + " (pg_ctl exit "
            + r.exitCode() + "): " + r.stderr().strip() + "\nserver log " + logFile + ":\n" + log);
      }
    }
  }

  private ProcessRunner.Result pgCtlStart() {
    return pgCtl(List.of("start", "-w", "-t", String.valueOf(PG_CTL_TIMEOUT.toSeconds()), "-l",
        logFile.toString()));
  }

  private ProcessRunner.Result pgCtl(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(binDir.resolve("pg_ctl").toString(), "-D",
        dataDir.toString()));
    cmd.addAll(args);
    return ProcessRunner.run(asPostgres(cmd), Map.of(), null, baseDir,
        PG_CTL_TIMEOUT.plusSeconds(30));
  }

  private void createRoles() {
    psql("postgres", String.join("\n",
        "SET password_encryption = 'md5';",
        "CREATE ROLE " + MD5_USER + " LOGIN PASSWORD " + quoteLiteral(MD5_PASSWORD) + ";",
        "SET password_encryption = 'scram-sha-256';",
        "CREATE ROLE " + SCRAM_USER + " LOGIN PASSWORD " + quoteLiteral(SCRAM_PASSWORD) + ";",
        "CREATE ROLE " + SSL_USER + " LOGIN PASSWORD " + quoteLiteral(SSL_PASSWORD) + ";",
        "CREATE ROLE " + READER_USER + " LOGIN NOSUPERUSER PASSWORD " + quoteLiteral(READER_PASSWORD)
            + ";",
        "GRANT pg_read_all_data TO " + READER_USER + ";",
        "CREATE ROLE " + PEER_USER + " LOGIN NOSUPERUSER CREATEDB;",
        "GRANT pg_read_all_data TO " + PEER_USER + ";",
        "CREATE ROLE " + APP_ROLE + " NOLOGIN;",
        ""));
  }

  /**
   * A detached process that stops the server and deletes the directory should this JVM die without
   * running its shutdown hooks (kill -9, surefire timeout); it exits once the directory is gone.
   */
  private void startWatchdog() {
    String stop = String.join(" ", asPostgres(List.of(binDir.resolve("pg_ctl").toString(), "-D",
        "\"$3\"", "stop", "-m", "immediate", "-w", "-t", "30")));
    String script = "while kill -0 \"$1\" 2>/dev/null && [ -d \"$2\" ]; do sleep 2; done; "
        + "if [ -d \"$2\" ]; then "
        + "if [ -f \"$3/postmaster.pid\" ]; then " + stop + " >/dev/null 2>&1; fi; "
        + "rm -rf \"$2\"; fi";
    List<String> cmd = List.of("setsid", "bash", "-c", script, "cairn-pg-watchdog",
        String.valueOf(ProcessHandle.current().pid()), baseDir.toString(), dataDir.toString());
    try {
      new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      System.err.println("cairn testkit: no watchdog for " + baseDir + ": " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------------- helpers

  private List<String> asPostgres(List<String> cmd) {
    if (!root) {
      return cmd;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
    wrapped.addAll(cmd);
    return wrapped;
  }

  private List<String> psqlCommand(String user, String db, List<String> extra) {
    List<String> cmd = new ArrayList<>(List.of(psqlBinary().toString(), "-X", "-q", "-v",
        "ON_ERROR_STOP=1", "-At", "-h", HOST, "-p", String.valueOf(port), "-U", user, "-d",
        dbConninfo(db)));
    cmd.addAll(extra);
    return cmd;
  }

  /** {@code dbname='...'}: a database name that psql/pg_dump can never mistake for a conninfo. */
  private static String dbConninfo(String db) {
    return "dbname='" + db.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free TCP port on " + HOST, e);
    }
  }

  private static String uniqueName(String prefix) {
    String p = prefix.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (p.length() > 40) {
      p = p.substring(0, 40);
    }
    byte[] rnd = new byte[3];
    RANDOM.nextBytes(rnd);
    return p + "_" + DB_SEQ.incrementAndGet() + "_" + HexFormat.of().formatHex(rnd);
  }

  /** {@code "name"} with embedded quotes doubled. */
  public static String quoteIdent(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** {@code 'value'} with embedded quotes doubled (standard_conforming_strings is on). */
  public static String quoteLiteral(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static String redact(String s) {
    return PASSWORD_LITERAL.matcher(s).replaceAll("$1'***'");
  }

  private static String stripTrailingNewlines(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
      end--;
    }
    return s.substring(0, end);
  }

  private void chownTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        chown(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot chown " + dir + " to " + OS_USER, e);
    }
  }

  private static void chown(Path p) throws IOException {
    UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user = lookup.lookupPrincipalByName(OS_USER);
    GroupPrincipal group = lookup.lookupPrincipalByGroupName(OS_USER);
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(user);
    view.setGroup(group);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      System.err.println("cairn testkit: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
