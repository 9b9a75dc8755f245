package dev.cairn.config;

import dev.cairn.conn.ConnSpec;
import dev.cairn.dump.TableFilter;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.schedule.CronSchedule;
import dev.cairn.schedule.Schedule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the agent's YAML configuration: {@code ${VAR}} substitution in every string value, then one
 * validation pass that collects every problem and throws a single CONFIG error listing them, one per line
 * as {@code <key path>: <what is wrong>}. The result is immutable.
 */
public final class ConfigLoader {
  static final List<String> TOP_KEYS = List.of("repository", "repositories", "databases", "timezone", "http", "agent",
      "log", "pg_bin", "notifications", "clusters", "encryption");
  static final List<String> ENCRYPTION_KEYS = List.of("keys", "allow_local_passphrase_only");
  static final List<String> ENCRYPTION_KEY_KEYS = List.of("id", "passphrase", "recipient");
  static final List<String> REPOSITORY_KEYS = List.of("path");
  static final List<String> DATABASE_KEYS = List.of("name", "url", "jobs", "schedule", "timezone", "retention",
      "tables", "exclude_tables", "backup_timeout", "max_age", "lock_timeout", "split_size", "chunk_size",
      "verify_schedule", "verify_after_backup", "content", "slow_after", "restore_test", "repositories");
  static final List<String> RETENTION_KEYS = List.of("keep_last", "keep_days", "keep_daily", "keep_weekly", "keep_monthly");
  static final List<String> HTTP_KEYS = List.of("bind", "port", "tokens", "tls", "rate_limit_per_minute",
      "max_body_size", "metrics_public", "max_import_size", "idle_timeout", "header_timeout", "max_connections",
      "public_url");
  static final List<String> TOKEN_KEYS = List.of("name", "role", "sha256");
  static final List<String> TLS_KEYS = List.of("cert", "key");
  static final int MAX_RATE_LIMIT = 100_000;
  static final List<String> AGENT_KEYS = List.of("max_concurrent_jobs", "run_missed_on_start", "retention_schedule",
      "history_limit", "shutdown_grace", "copy_attempts", "copy_backoff");
  static final List<String> LOG_KEYS = List.of("format", "level");

  static final int MAX_CONCURRENT_JOBS = 64;
  static final int MAX_HISTORY_LIMIT = 1_000_000;
  /** max_age is checked against the gaps between this many upcoming runs. */
  private static final int GAP_RUNS = 400;
  private static final ZonedDateTime GAP_FROM = ZonedDateTime.parse("2025-01-01T00:00:00Z");

  private final Problems problems = new Problems();
  /** What each database's {@code repositories:} may name; set by {@link #repositories} before databases are read. */
  private List<String> repositoryNames = List.of(RepositoryEntry.LEGACY_NAME);
  private boolean retentionPerRepository;
  private final Map<String, String> env;
  private final Path home;

  private ConfigLoader(Map<String, String> env, Path home) {
    this.env = env;
    this.home = home;
  }

  /**
   * Loads a configuration file.
   *
   * @param env the environment, for {@code ${VAR}} and the PG* variables of connection strings
   * @param home the home directory, for {@code ~/} in paths and {@code ~/.pgpass}
   * @throws CairnException CONFIG when the file cannot be read or is invalid
   */
  public static CairnConfig load(Path file, Map<String, String> env, Path home) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CairnException(ErrorCode.CONFIG, "configuration file " + file + " does not exist",
          "pass the file with --config FILE; conf/cairn.yaml is a documented example");
    } catch (IOException e) {
      throw new CairnException(ErrorCode.CONFIG, "cannot read configuration file " + file + ": " + e.getMessage(),
          null, null, e);
    }
    return parse(text, file.toString(), env, home);
  }

  /**
   * Only the {@code encryption:} section of a YAML file (a whole cairn.yaml, or a file with just that
   * section), validated as in a configuration: the new slot list of {@code cairn key rotate}.
   */
  public static EncryptionConfig loadEncryption(Path file, Map<String, String> env) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.CONFIG, "cannot read slot file " + file + ": " + e.getMessage());
    }
    ConfigLoader l = new ConfigLoader(Map.copyOf(env), Path.of("/"));
    Section top = Section.of(YamlSource.compose(text, file.toString()), "", 0, l.problems, l.env);
    if (!top.has("encryption")) {
      top.problem("encryption", "missing (the new slot list: encryption: {keys: [{id, passphrase} or {id, recipient}]})");
    }
    EncryptionConfig e = l.encryption(top.section("encryption"));
    if (!l.problems.isEmpty()) {
      throw l.problems.exception(file.toString());
    }
    return e;
  }

  /** Parses configuration text; {@code sourceName} names it in errors. */
  public static CairnConfig parse(String yaml, String sourceName, Map<String, String> env, Path home) {
    return new ConfigLoader(Map.copyOf(env), home).build(yaml, sourceName);
  }

  private CairnConfig build(String yaml, String source) {
    Section top = Section.of(YamlSource.compose(yaml, source), "", 0, problems, env);
    top.known(TOP_KEYS);
    ZoneId defaultZone = top.zone("timezone", CairnConfig.DEFAULT_TIMEZONE);
    List<RepositoryEntry> repositories = repositories(top);
    RepositoryConfig repository = repositories.isEmpty() ? null : repositories.get(0).local();
    List<ClusterConfig> clusters = ClustersLoader.clusters(top, defaultZone, env, home);
    List<DatabaseConfig> databases = clusters.isEmpty() || top.has("databases") ? databases(top, defaultZone) : List.of();
    HttpConfig http = http(top.section("http"));
    AgentConfig agent = agent(top.section("agent"), defaultZone);
    LogConfig log = log(top.section("log"));
    List<NotificationConfig> notifications = new NotificationsLoader(env, home).load(top);
    EncryptionConfig encryption = encryption(top.section("encryption"));
    Path pgBin = null;
    Section.Scalar bin = top.scalar("pg_bin");
    if (bin != null) {
      pgBin = path(top, "pg_bin", bin);
      if (pgBin != null && !Files.isDirectory(pgBin)) {
        top.problem("pg_bin", pgBin + " is not a directory");
      }
    }
    if (!problems.isEmpty()) {
      throw problems.exception(source);
    }
    return new CairnConfig(repository, databases, http, agent, log, pgBin, notifications, repositories, clusters,
        encryption);
  }

  private EncryptionConfig encryption(Section s) {
    s.known(ENCRYPTION_KEYS);
    List<Section> list = s.sections("keys");
    boolean allowLocal = s.bool("allow_local_passphrase_only", false);
    if (list == null) {
      return new EncryptionConfig(List.of(), allowLocal);
    }
    List<EncryptionConfig.Key> keys = new ArrayList<>();
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Section k = list.get(i);
      k.known(ENCRYPTION_KEY_KEYS);
      String id = k.string("id", null);
      if (id == null) {
        k.problem("id", "missing (names the slot in archives and messages, e.g. ops-2026)");
      } else if (!EncryptionConfig.SLOT_ID.matcher(id).matches()) {
        k.problem("id", "\"" + id + "\" must be 1 to 63 letters, digits, _ . @ or -, starting with a letter or digit");
        id = null;
      } else if (ids.putIfAbsent(id, i) != null) {
        k.problem("id", "\"" + id + "\" is used twice (also encryption.keys[" + ids.get(id) + "])");
      }
      String pass = k.string("passphrase", null);
      String recipient = k.string("recipient", null);
      if ((pass == null) == (recipient == null)) {
        k.problem(pass == null ? "passphrase" : "recipient", "give exactly one of passphrase (e.g. ${CAIRN_PASSPHRASE})"
            + " and recipient (cairn1x25519..., printed by cairn key generate)");
        continue;
      }
      if (pass != null && pass.length() < EncryptionConfig.MIN_PASSPHRASE_LENGTH) {
        // never the value: it is a secret
        k.problem("passphrase", "is " + pass.length() + " characters long; at least "
            + EncryptionConfig.MIN_PASSPHRASE_LENGTH + " are needed");
      }
      if (recipient != null) {
        try {
          dev.cairn.crypt.X25519.parseRecipient(recipient, "recipient");
        } catch (dev.cairn.error.CairnException e) {
          k.problem("recipient", e.getMessage());
        }
      }
      if (id != null) {
        keys.add(new EncryptionConfig.Key(id, pass, recipient == null ? null : recipient.strip()));
      }
    }
    if (!keys.isEmpty() && keys.stream().allMatch(k -> k.passphrase() != null) && !allowLocal) {
      s.problem("keys", "every slot is a passphrase this host holds, so anyone who can read this host can decrypt"
          + " every backup, and losing the host loses the only key; add a recipient slot whose identity is kept off"
          + " this host (cairn key generate), or set encryption.allow_local_passphrase_only: true to accept it");
    }
    return new EncryptionConfig(keys, allowLocal);
  }

  /**
   * {@code repositories:}, or the single-repository form {@code repository: {path}} as one local
   * repository named {@code local} whose retention is each database's own.
   */
  private List<RepositoryEntry> repositories(Section top) {
    if (top.has("repositories")) {
      if (top.has("repository")) {
        top.problem("repository", "give either repository (one directory) or repositories (a list), not both");
      }
      List<RepositoryEntry> list = RepositoriesSection.parse(top, this::localPath, this::s3, this::retention);
      repositoryNames = list.stream().map(RepositoryEntry::name).toList();
      retentionPerRepository = true;
      return list;
    }
    Section s = top.section("repository");
    s.known(REPOSITORY_KEYS);
    RepositoryConfig local = localPath(s);
    return local == null ? List.of() : List.of(new RepositoryEntry(RepositoryEntry.LEGACY_NAME, local, null, null));
  }

  /**
   * Parses {@code repositories[index].s3} ({@link S3Section}); null when it has problems (recorded). The
   * driver is opened only when the agent starts, so checking a configuration never needs the bucket.
   */
  private RepositoryEntry.Remote s3(Section s3, int index) {
    S3Section.Parsed parsed = S3Section.read(s3);
    if (parsed == null) {
      return null;
    }
    return new RepositoryEntry.Remote() {
      @Override
      public String kind() {
        return "s3";
      }

      @Override
      public String location() {
        return parsed.location().describe();
      }

      @Override
      public dev.cairn.storage.Storage open() {
        return dev.cairn.storage.s3.S3Storage.open(parsed.location(), parsed.credentials());
      }
    };
  }

  /** The {@code path} key of a local repository: a directory that exists, or can be created. */
  private RepositoryConfig localPath(Section s) {
    Section.Scalar p = s.scalar("path");
    if (p == null) {
      if (!s.has("path")) {
        s.problem("path", "missing (the directory backups are written to, e.g. /var/lib/cairn/backups)");
      }
      return null;
    }
    Path dir = path(s, "path", p);
    if (dir == null) {
      return null;
    }
    if (Files.exists(dir)) {
      if (!Files.isDirectory(dir)) {
        s.problem("path", dir + " is not a directory");
      } else if (!Files.isReadable(dir) || !Files.isWritable(dir)) {
        s.problem("path", dir + " is not readable and writable");
      }
    } else {
      Path parent = dir.getParent();
      if (parent == null || !Files.isDirectory(parent)) {
        s.problem("path", dir + " does not exist, nor does its parent " + parent);
      } else if (!Files.isWritable(parent)) {
        s.problem("path", dir + " does not exist and its parent " + parent + " is not writable");
      }
    }
    return new RepositoryConfig(dir);
  }

  /** An absolute path; {@code ~/} is the home directory. */
  private Path path(Section s, String key, Section.Scalar v) {
    String t = v.text().trim();
    if (t.isEmpty()) {
      s.problem(key, "is empty");
      return null;
    }
    if ((t.equals("~") || t.startsWith("~/")) && home != null) {
      t = home + t.substring(1);
    }
    Path p = Path.of(t);
    if (!p.isAbsolute()) {
      s.problem(key, v.shown() + " is relative; write an absolute path");
      return null;
    }
    return p.normalize();
  }

  private List<DatabaseConfig> databases(Section top, ZoneId defaultZone) {
    List<Section> list = top.sections("databases");
    if (list == null || list.isEmpty()) {
      if (list != null || !top.has("databases")) {
        top.problem("databases", (list == null ? "missing" : "empty") + " (list at least one database to back up)");
      }
      return List.of();
    }
    List<DatabaseConfig> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      DatabaseConfig d = database(list.get(i), defaultZone);
      if (d.name() != null) {
        Integer first = names.putIfAbsent(d.name(), i);
        if (first != null) {
          list.get(i).problem("name", "\"" + d.name() + "\" is used twice (also databases[" + first + "])");
        }
      }
      out.add(d);
    }
    return out;
  }

  private DatabaseConfig database(Section s, ZoneId defaultZone) {
    s.known(DATABASE_KEYS);
    String name = s.string("name", null);
    if (name == null && !s.has("name")) {
      s.problem("name", "missing (the name in backup ids, e.g. app)");
    } else if (name != null && !DatabaseConfig.NAME.matcher(name).matches()) {
      s.problem("name", "\"" + name + "\" must be 1 to 63 letters, digits, _ or -, starting with a letter or digit");
      name = null;
    }
    String url = s.string("url", null);
    if (url == null && !s.has("url")) {
      s.problem("url", "missing (a postgresql:// URI or key=value connection string)");
    } else if (url != null && url.isBlank()) {
      s.problem("url", "is empty");
    } else if (url != null) {
      try {
        ConnSpec.parse(url, env, home);
      } catch (CairnException e) {
        s.problem("url", e.getMessage());
      }
    }
    int jobs = s.integer("jobs", DatabaseConfig.DEFAULT_JOBS, DatabaseConfig.MIN_JOBS, DatabaseConfig.MAX_JOBS);
    ZoneId zone = s.zone("timezone", defaultZone);
    Schedule schedule = schedule(s, "schedule", zone, true);
    RetentionConfig retention = retention(s.section("retention"));
    List<String> tables = patterns(s, "tables");
    List<String> excludes = patterns(s, "exclude_tables");
    Duration backupTimeout = s.duration("backup_timeout", DatabaseConfig.DEFAULT_BACKUP_TIMEOUT, Duration.ofSeconds(1));
    Duration maxAge = s.duration("max_age", DatabaseConfig.DEFAULT_MAX_AGE, Duration.ofSeconds(1));
    Duration lockTimeout = s.duration("lock_timeout", DatabaseConfig.DEFAULT_LOCK_TIMEOUT, Duration.ofMillis(1));
    long split = s.size("split_size", DatabaseConfig.DEFAULT_SPLIT_BYTES, DatabaseConfig.MIN_SPLIT_BYTES, Long.MAX_VALUE);
    int chunk = (int) s.size("chunk_size", DatabaseConfig.DEFAULT_CHUNK_BYTES, DatabaseConfig.MIN_CHUNK_BYTES,
        DatabaseConfig.MAX_CHUNK_BYTES);
    String content = s.oneOf("content", DatabaseConfig.DEFAULT_CONTENT, DatabaseConfig.CONTENTS);
    if (schedule != null) {
      checkMaxAge(s, schedule, maxAge);
    }
    Schedule verifySchedule = schedule(s, "verify_schedule", zone, false);
    List<String> repositories = RepositoriesSection.databaseRepositories(s, repositoryNames, retentionPerRepository);
    boolean verifyAfter = s.bool("verify_after_backup", false);
    Duration slowAfter = s.duration("slow_after", null, Duration.ofSeconds(1));
    RestoreTestConfig restoreTest = !s.has("restore_test") ? null
        : new RestoreTestSection(s.section("restore_test"), url, env, home,
            (sec, key) -> schedule(sec, key, zone, false)).read();
    return new DatabaseConfig(name, url, jobs, schedule, zone, retention, tables, excludes, backupTimeout, maxAge,
        lockTimeout, split, chunk, verifySchedule, verifyAfter, content, slowAfter, restoreTest, repositories);
  }

  /** A max_age no longer than the gap between two runs would report every database stale before its next backup. */
  private void checkMaxAge(Section s, Schedule schedule, Duration maxAge) {
    Duration widest = Duration.ZERO;
    ZonedDateTime t = schedule.next(GAP_FROM.withZoneSameInstant(schedule.zone())).orElse(null);
    for (int i = 0; i < GAP_RUNS && t != null; i++) {
      ZonedDateTime n = schedule.next(t).orElse(null);
      if (n != null && Duration.between(t, n).compareTo(widest) > 0) {
        widest = Duration.between(t, n);
      }
      t = n;
    }
    if (maxAge.compareTo(widest) <= 0) {
      s.problem("max_age", Units.format(maxAge) + (s.has("max_age") ? "" : " (the default)") + " is not longer than the " + Units.format(widest)
          + " between scheduled runs, so every backup would look stale before the next one; set max_age above "
          + Units.format(widest));
    }
  }

  private Schedule schedule(Section s, String key, ZoneId zone, boolean required) {
    List<Map.Entry<String, Section.Scalar>> exprs = s.scalars(key);
    if (exprs == null) {
      if (required && !s.has(key)) {
        s.problem(key, "missing (a cron expression such as \"0 2 * * *\" or \"@daily\", or a list of them)");
      }
      return null;
    }
    if (exprs.isEmpty()) {
      s.problem(key, "empty list (give at least one cron expression)");
      return null;
    }
    List<CronSchedule> crons = new ArrayList<>();
    boolean ok = true;
    for (Map.Entry<String, Section.Scalar> e : exprs) {
      try {
        crons.add(CronSchedule.parse(e.getValue().text(), zone));
      } catch (CairnException ex) {
        problems.add(s.line(key), e.getKey(), ex.getMessage());
        ok = false;
      }
    }
    return ok ? Schedule.of(crons) : null;
  }

  private RetentionConfig retention(Section s) {
    s.known(RETENTION_KEYS);
    int[] v = new int[RETENTION_KEYS.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = s.integer(RETENTION_KEYS.get(i), RetentionConfig.DEFAULT_KEEP, 0, Integer.MAX_VALUE);
    }
    return new RetentionConfig(v[0], v[1], v[2], v[3], v[4]);
  }

  private List<String> patterns(Section s, String key) {
    List<Map.Entry<String, Section.Scalar>> items = s.scalars(key);
    if (items == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Section.Scalar> e : items) {
      String p = e.getValue().text();
      try {
        new TableFilter(List.of(p), List.of());
        out.add(p);
      } catch (CairnException ex) {
        problems.add(s.line(key), e.getKey(), ex.getMessage());
      }
    }
    return out;
  }

  private HttpConfig http(Section s) {
    s.known(HTTP_KEYS);
    String bind = s.string("bind", HttpConfig.DEFAULT_BIND).trim();
    if (!bind.matches("[A-Za-z0-9._:%\\[\\]-]+")) {
      s.problem("bind", "\"" + bind + "\" is not a host name or IP address");
      bind = HttpConfig.DEFAULT_BIND;
    }
    int port = s.integer("port", HttpConfig.DEFAULT_PORT, 1, 65535);
    List<HttpConfig.Token> tokens = tokens(s);
    HttpConfig.Tls tls = null;
    if (s.has("tls")) {
      Section t = s.section("tls");
      t.known(TLS_KEYS);
      Path cert = pemFile(t, "cert");
      Path key = pemFile(t, "key");
      tls = cert == null || key == null ? null : new HttpConfig.Tls(cert, key);
    }
    int rate = s.integer("rate_limit_per_minute", HttpConfig.DEFAULT_RATE_LIMIT_PER_MINUTE, 0, MAX_RATE_LIMIT);
    long body = s.size("max_body_size", HttpConfig.DEFAULT_MAX_BODY_BYTES, 1024, 64L << 20);
    boolean metricsPublic = s.bool("metrics_public", HttpConfig.DEFAULT_METRICS_PUBLIC);
    long maxImport = s.size("max_import_size", HttpConfig.DEFAULT_MAX_IMPORT_BYTES, 1024, 1L << 50);
    java.time.Duration second = java.time.Duration.ofSeconds(1);
    HttpConfig.Limits limits = new HttpConfig.Limits(
        s.duration("idle_timeout", HttpConfig.Limits.DEFAULT_IDLE_TIMEOUT, second),
        s.duration("header_timeout", HttpConfig.Limits.DEFAULT_HEADER_TIMEOUT, second),
        s.integer("max_connections", HttpConfig.Limits.DEFAULT_MAX_CONNECTIONS, 2, 100_000));
    return new HttpConfig(bind, port, tokens, tls, rate, body, metricsPublic, maxImport, limits,
        new NotificationsLoader(env, home).publicUrl(s));
  }

  private List<HttpConfig.Token> tokens(Section s) {
    List<Section> list = s.sections("tokens");
    if (list == null) {
      return List.of();
    }
    List<HttpConfig.Token> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    Map<String, Integer> hashes = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Section t = list.get(i);
      t.known(TOKEN_KEYS);
      String name = t.string("name", null);
      if (name == null && !t.has("name")) {
        t.problem("name", "missing (who holds the token, e.g. ops-laptop; it appears in the audit log)");
      } else if (name != null && !HttpConfig.TOKEN_NAME.matcher(name).matches()) {
        t.problem("name", "\"" + name + "\" must be 1 to 63 letters, digits, _ . @ or -, starting with a letter or digit");
        name = null;
      } else if (name != null && names.putIfAbsent(name, i) != null) {
        t.problem("name", "\"" + name + "\" is used twice (also http.tokens[" + names.get(name) + "])");
      }
      String role = t.oneOf("role", null, HttpConfig.Role.LABELS);
      if (role == null && !t.has("role")) {
        t.problem("role", "missing (one of " + String.join(", ", HttpConfig.Role.LABELS) + ")");
      }
      String sha = t.string("sha256", null);
      if (sha == null && !t.has("sha256")) {
        t.problem("sha256", "missing (the hex SHA-256 of the token; cairn token --role ROLE prints the line to paste)");
      } else if (sha != null) {
        sha = sha.trim().toLowerCase(java.util.Locale.ROOT);
        if (!HttpConfig.SHA256_HEX.matcher(sha).matches()) {
          t.problem("sha256", "must be 64 hex digits, the SHA-256 of the token, not the token itself"
              + " (cairn token --role ROLE prints the line to paste)");
          sha = null;
        } else if (hashes.putIfAbsent(sha, i) != null) {
          t.problem("sha256", "the same token as http.tokens[" + hashes.get(sha) + "]; give each holder their own token");
        }
      }
      if (name != null && role != null && sha != null) {
        out.add(new HttpConfig.Token(name, HttpConfig.Role.valueOf(role.toUpperCase(java.util.Locale.ROOT)), sha));
      }
    }
    return out;
  }

  /** A readable PEM file for TLS. */
  private Path pemFile(Section t, String key) {
    Section.Scalar v = t.scalar(key);
    if (v == null) {
      if (!t.has(key)) {
        t.problem(key, "missing (a PEM file: tls needs both cert and key)");
      }
      return null;
    }
    Path p = path(t, key, v);
    if (p != null && !Files.isRegularFile(p)) {
      t.problem(key, p + " does not exist or is not a file");
      return null;
    }
    if (p != null && !Files.isReadable(p)) {
      t.problem(key, p + " is not readable by this user");
      return null;
    }
    return p;
  }

  private AgentConfig agent(Section s, ZoneId zone) {
    s.known(AGENT_KEYS);
    return new AgentConfig(
        s.integer("max_concurrent_jobs", AgentConfig.DEFAULT_MAX_CONCURRENT_JOBS, 1, MAX_CONCURRENT_JOBS),
        s.bool("run_missed_on_start", AgentConfig.DEFAULT_RUN_MISSED_ON_START),
        schedule(s, "retention_schedule", zone, false),
        s.integer("history_limit", AgentConfig.DEFAULT_HISTORY_LIMIT, 1, MAX_HISTORY_LIMIT),
        s.duration("shutdown_grace", AgentConfig.DEFAULT_SHUTDOWN_GRACE, Duration.ZERO),
        s.integer("copy_attempts", AgentConfig.DEFAULT_COPY_ATTEMPTS, 1, 100),
        s.duration("copy_backoff", AgentConfig.DEFAULT_COPY_BACKOFF, Duration.ofMillis(10)));
  }

  private LogConfig log(Section s) {
    s.known(LOG_KEYS);
    return new LogConfig(s.oneOf("format", LogConfig.DEFAULT_FORMAT, LogConfig.FORMATS),
        s.oneOf("level", LogConfig.DEFAULT_LEVEL, LogConfig.LEVELS));
  }
}
