package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.schedule.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per rule; each checks the exact line the operator reads. */
class ConfigLoaderTest {
  @TempDir Path tmp;
  private Path repo;
  private final Map<String, String> env = new HashMap<>(Map.of("CAIRN_APP_URL", "postgresql://backup:s3cret@db1/app"));

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectory(tmp.resolve("repo"));
  }

  /** A valid file with one database; {@code extra} lines are appended to that database. */
  private String yaml(String... dbLines) {
    StringBuilder sb = new StringBuilder("repository:\n  path: " + repo + "\ndatabases:\n  - name: app\n"
        + "    url: postgresql://backup@db1/app\n    schedule: \"0 2 * * *\"\n");
    for (String l : dbLines) {
      sb.append("    ").append(l).append('\n');
    }
    return sb.toString();
  }

  private CairnConfig load(String yaml) {
    return ConfigLoader.parse(yaml, "test.yaml", env, tmp);
  }

  private CairnException failure(String yaml) {
    CairnException e = assertThrows(CairnException.class, () -> load(yaml));
    assertEquals(ErrorCode.CONFIG, e.code());
    return e;
  }

  /** The problem lines (after the "test.yaml: N problems" head line). */
  private List<String> problems(String yaml) {
    String[] lines = failure(yaml).getMessage().split("\n");
    assertTrue(lines[0].matches("test\\.yaml: \\d+ problems?"), lines[0]);
    assertEquals(Integer.parseInt(lines[0].replaceAll("\\D", "")), lines.length - 1);
    return Arrays.asList(lines).subList(1, lines.length);
  }

  private String problem(String yaml) {
    List<String> p = problems(yaml);
    assertEquals(1, p.size(), p.toString());
    return p.get(0);
  }

  // --- what a valid file gives ---

  @Test
  void aMinimalFileGetsEveryDefault() {
    CairnConfig c = load(yaml());
    assertEquals(repo, c.repository().path());
    assertEquals(1, c.databases().size());
    DatabaseConfig d = c.databases().get(0);
    assertEquals("app", d.name());
    assertEquals("postgresql://backup@db1/app", d.url());
    assertEquals(DatabaseConfig.DEFAULT_JOBS, d.jobs());
    assertEquals(2, d.jobs());
    assertEquals(List.of("0 2 * * *"), d.schedule().expressions());
    assertEquals(ZoneOffset.UTC, d.timezone());
    assertEquals(ZoneOffset.UTC, d.schedule().zone());
    assertEquals(RetentionConfig.KEEP_EVERYTHING, d.retention());
    assertTrue(d.retention().keepsEverything());
    assertEquals(List.of(), d.tables());
    assertEquals(List.of(), d.excludeTables());
    assertEquals(Duration.ofHours(6), d.backupTimeout());
    assertEquals(Duration.ofHours(26), d.maxAge());
    assertEquals(Duration.ofSeconds(10), d.lockTimeout());
    assertEquals(64L << 20, d.splitBytes());
    assertEquals(4 << 20, d.chunkBytes());
    assertEquals(new HttpConfig("127.0.0.1", 8432), c.http());
    assertEquals(new AgentConfig(2, true, null, 1000, Duration.ofSeconds(10)), c.agent());
    assertEquals(new LogConfig("text", "info"), c.log());
    assertNull(c.pgBin());
  }

  @Test
  void everySettingIsRead() throws IOException {
    Path bin = Files.createDirectory(tmp.resolve("bin"));
    CairnConfig c = load("""
        repository: {path: %s}
        timezone: Europe/Berlin
        databases:
          - name: app
            url: ${CAIRN_APP_URL}
            jobs: 8
            schedule: ["0 */6 * * *", "@daily"]
            timezone: America/New_York
            retention: {keep_last: 1, keep_days: 2, keep_daily: 3, keep_weekly: 4, keep_monthly: 5}
            tables: ["public.*", orders]
            exclude_tables: "*_log"
            backup_timeout: 90m
            max_age: 1d
            lock_timeout: 500ms
            split_size: 1GB
            chunk_size: 512KiB
          - name: reports
            url: host=db2 dbname=reports
            schedule: "30 1 * * *"
        http: {bind: 0.0.0.0, port: 9000}
        agent:
          max_concurrent_jobs: 3
          run_missed_on_start: false
          retention_schedule: "30 4 * * *"
          history_limit: 50
          shutdown_grace: 1m
        log: {format: json, level: DEBUG}
        pg_bin: %s
        """.formatted(repo, bin));
    DatabaseConfig d = c.databases().get(0);
    assertEquals("postgresql://backup:s3cret@db1/app", d.url());
    assertEquals(8, d.jobs());
    assertEquals(ZoneId.of("America/New_York"), d.timezone());
    assertEquals(Schedule.parse(List.of("0 */6 * * *", "@daily"), ZoneId.of("America/New_York")), d.schedule());
    assertEquals(new RetentionConfig(1, 2, 3, 4, 5), d.retention());
    assertEquals(List.of("public.*", "orders"), d.tables());
    assertEquals(List.of("*_log"), d.excludeTables());
    assertEquals(Duration.ofMinutes(90), d.backupTimeout());
    assertEquals(Duration.ofDays(1), d.maxAge());
    assertEquals(Duration.ofMillis(500), d.lockTimeout());
    assertEquals(1L << 30, d.splitBytes());
    assertEquals(512 << 10, d.chunkBytes());
    assertEquals(ZoneId.of("Europe/Berlin"), c.databases().get(1).timezone(), "the top-level timezone is the default");
    assertEquals(new HttpConfig("0.0.0.0", 9000), c.http());
    assertEquals(new AgentConfig(3, false, Schedule.parse(List.of("30 4 * * *"), ZoneId.of("Europe/Berlin")), 50,
        Duration.ofMinutes(1)), c.agent());
    assertEquals(new LogConfig("json", "debug"), c.log());
    assertEquals(bin, c.pgBin());
    assertEquals(c.databases().get(1), c.database("reports").orElseThrow());
  }

  @Test
  void scalarsKeepTheirTextNotYamlsGuess() {
    // YAML 1.1 would read 0123 as octal 83 and "on" as true
    DatabaseConfig d = load(yaml().replace("name: app", "name: 0123") + "  - {name: on, url: host=db2, schedule: \"@daily\"}\n")
        .databases().get(0);
    assertEquals("0123", d.name());
    assertEquals("on", load(yaml() + "  - {name: on, url: host=db2, schedule: \"@daily\"}\n").databases().get(1).name());
  }

  // --- one test per rule ---

  @Test
  void cronErrorsNameTheKey() {
    assertEquals("databases[0].schedule: \"0 25 * * *\": hour 25 is out of range 0-23",
        problem(yaml().replace("0 2 * * *", "0 25 * * *")));
  }

  @Test
  void cronErrorsInAListNameTheEntry() {
    assertEquals("databases[0].schedule[1]: \"@often\": is not a known macro (@hourly, @daily, @weekly, @monthly, @yearly)",
        problem(yaml().replace("\"0 2 * * *\"", "[\"@daily\", \"@often\"]")));
  }

  @Test
  void scheduleIsRequired() {
    assertEquals("databases[0].schedule: missing (a cron expression such as \"0 2 * * *\" or \"@daily\", or a list of them)",
        problem(yaml().replace("    schedule: \"0 2 * * *\"\n", "")));
    assertEquals("databases[0].schedule: empty list (give at least one cron expression)",
        problem(yaml().replace("\"0 2 * * *\"", "[]")));
  }

  @Test
  void databaseNamesAreUnique() {
    assertEquals("databases[1].name: \"app\" is used twice (also databases[0])",
        problem(yaml() + "  - {name: app, url: \"host=db2\", schedule: \"@daily\"}\n"));
  }

  @Test
  void databaseNamesFitBackupIds() {
    assertEquals("databases[0].name: \"my app\" must be 1 to 63 letters, digits, _ or -, starting with a letter or digit",
        problem(yaml().replace("name: app", "name: my app")));
    assertEquals("databases[0].name: \"-app\" must be 1 to 63 letters, digits, _ or -, starting with a letter or digit",
        problem(yaml().replace("name: app", "name: \"-app\"")));
    assertEquals("databases[0].name: missing (the name in backup ids, e.g. app)",
        problem(yaml().replace("  - name: app\n    url", "  - url")));
  }

  @Test
  void retentionCountsAreNotNegative() {
    assertEquals("databases[0].retention.keep_last: -1 must be 0 or more", problem(yaml("retention: {keep_last: -1}")));
  }

  @Test
  void unknownKeysAreErrors() {
    assertEquals("databases[0].colour: unknown key (known: name, url, jobs, schedule, timezone, retention, tables, "
        + "exclude_tables, backup_timeout, max_age, lock_timeout, split_size, chunk_size, verify_schedule, verify_after_backup, content, slow_after, restore_test, repositories)", problem(yaml("colour: red")));
    assertEquals("databases[0].retention.keep_yearly: unknown key (known: keep_last, keep_days, keep_daily, keep_weekly, "
        + "keep_monthly)", problem(yaml("retention: {keep_yearly: 3}")));
    assertEquals("repos: unknown key (known: repository, repositories, databases, timezone, http, agent, log, pg_bin, notifications, clusters, encryption)",
        problem(yaml() + "repos: /x\n"));
    assertEquals("http.host: unknown key (known: bind, port, tokens, tls, rate_limit_per_minute, max_body_size, metrics_public, max_import_size, idle_timeout, header_timeout, max_connections, public_url)", problem(yaml() + "http: {host: x}\n"));
  }

  @Test
  void httpConnectionLimitsAreValidatedWithTheirKeyPaths() {
    assertEquals("http.header_timeout: 0s must be at least 1s", problem(yaml() + "http: {header_timeout: 0s}\n"));
    assertEquals("http.max_connections: 1 is out of range 2-100000",
        problem(yaml() + "http: {max_connections: 1}\n"));
    assertEquals(new HttpConfig.Limits(java.time.Duration.ofMinutes(5), java.time.Duration.ofSeconds(10), 200),
        ConfigLoader.parse(yaml() + "http: {idle_timeout: 5m, max_connections: 200}\n", "t.yaml", java.util.Map.of(),
            java.nio.file.Path.of("/tmp")).http().limits());
  }

  @Test
  void repositoryMustBeAReadableWritableDirectory() throws IOException {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertEquals("repository.path: " + file + " is not a directory", problem(yaml().replace(repo.toString(), file.toString())));
    Path orphan = tmp.resolve("no/such");
    assertEquals("repository.path: " + orphan + " does not exist, nor does its parent " + orphan.getParent(),
        problem(yaml().replace(repo.toString(), orphan.toString())));
    assertEquals("repository.path: missing (the directory backups are written to, e.g. /var/lib/cairn/backups)",
        problem(yaml().replace("repository:\n  path: " + repo + "\n", "")));
    assertEquals("repository.path: \"backups\" is relative; write an absolute path",
        problem(yaml().replace(repo.toString(), "backups")));
  }

  @Test
  void aRepositoryThatDoesNotExistYetNeedsAWritableParent() throws IOException {
    Path fresh = repo.resolve("new");
    assertEquals(fresh, load(yaml().replace(repo.toString(), fresh.toString())).repository().path());
    assertEquals(tmp.resolve("repo"), load(yaml().replace(repo.toString(), "~/repo")).repository().path(), "~/ is home");
    Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere");
    Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertEquals("repository.path: " + fresh + " does not exist and its parent " + repo + " is not writable",
          problem(yaml().replace(repo.toString(), fresh.toString())));
      assertEquals("repository.path: " + repo + " is not readable and writable", problem(yaml()));
    } finally {
      Files.setPosixFilePermissions(repo, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void typeErrorsShowTheValue() {
    assertEquals("http.port: \"abc\" is not a whole number", problem(yaml() + "http: {port: abc}\n"));
    assertEquals("http.port: \"80.5\" is not a whole number", problem(yaml() + "http: {port: 80.5}\n"));
    assertEquals("agent.run_missed_on_start: \"maybe\" is not true or false",
        problem(yaml() + "agent: {run_missed_on_start: maybe}\n"));
    assertEquals("databases[0].jobs: must be a single value, not a list", problem(yaml("jobs: [1, 2]")));
    assertEquals("http: must be a mapping of keys (key: value)", problem(yaml() + "http: 8432\n"));
    assertEquals("databases: must be a list", problem("repository: {path: " + repo + "}\ndatabases: {name: app}\n"));
  }

  @Test
  void numbersMustBeInRange() {
    assertEquals("http.port: 0 is out of range 1-65535", problem(yaml() + "http: {port: 0}\n"));
    assertEquals("http.port: 70000 is out of range 1-65535", problem(yaml() + "http: {port: 70000}\n"));
    assertEquals("databases[0].jobs: 0 is out of range 1-64", problem(yaml("jobs: 0")));
    assertEquals("databases[0].jobs: 65 is out of range 1-64", problem(yaml("jobs: 65")));
    assertEquals("agent.max_concurrent_jobs: 100 is out of range 1-64", problem(yaml() + "agent: {max_concurrent_jobs: 100}\n"));
    assertEquals("agent.history_limit: 0 is out of range 1-1000000", problem(yaml() + "agent: {history_limit: 0}\n"));
  }

  @Test
  void sizesMustBeInRange() {
    assertEquals("databases[0].chunk_size: 16MB is out of range 4KiB to 8MiB", problem(yaml("chunk_size: 16MB")));
    assertEquals("databases[0].chunk_size: 1000 is out of range 4KiB to 8MiB", problem(yaml("chunk_size: 1000")));
    assertEquals("databases[0].split_size: 512KB is below the minimum 1MiB", problem(yaml("split_size: 512KB")));
    assertEquals("databases[0].split_size: \"lots\" is not a size (write e.g. 64MB, 4MiB or 512KB)",
        problem(yaml("split_size: lots")));
    assertEquals(8 << 20, load(yaml("chunk_size: 8MiB")).databases().get(0).chunkBytes());
    assertEquals(4096, load(yaml("chunk_size: 4k")).databases().get(0).chunkBytes());
  }

  @Test
  void contentIsAllSchemaOnlyOrDataOnly() {
    assertEquals("all", load(yaml()).databases().get(0).content());
    assertEquals("schema-only", load(yaml("content: schema-only")).databases().get(0).content());
    assertEquals("databases[0].content: \"everything\" is not one of all, schema-only, data-only",
        problem(yaml("content: everything")));
  }

  @Test
  void durationsNeedAUnitAndMustBePositive() {
    assertEquals("databases[0].backup_timeout: \"6\" is not a duration (write e.g. 30s, 10m, 6h or 1d)",
        problem(yaml("backup_timeout: 6")));
    assertEquals("databases[0].lock_timeout: 0s must be at least 1ms", problem(yaml("lock_timeout: 0s")));
    assertEquals("databases[0].backup_timeout: 0m must be at least 1s", problem(yaml("backup_timeout: 0m")));
    assertEquals(Duration.ZERO, load(yaml() + "agent: {shutdown_grace: 0s}\n").agent().shutdownGrace());
  }

  @Test
  void maxAgeMustBeLongerThanTheGapBetweenRuns() {
    assertEquals("databases[0].max_age: 26h (the default) is not longer than the 7d between scheduled runs, so every "
        + "backup would look stale before the next one; set max_age above 7d",
        problem(yaml().replace("0 2 * * *", "@weekly")));
    assertEquals("databases[0].max_age: 2h is not longer than the 2h between scheduled runs, so every backup would "
        + "look stale before the next one; set max_age above 2h", problem(yaml("max_age: 2h").replace("0 2 * * *", "0 */2 * * *")));
    assertEquals(Duration.ofDays(8), load(yaml("max_age: 8d").replace("0 2 * * *", "@weekly")).databases().get(0).maxAge());
  }

  @Test
  void atLeastOneDatabase() {
    String repoOnly = "repository: {path: " + repo + "}\n";
    assertEquals("databases: missing (list at least one database to back up)", problem(repoOnly));
    assertEquals("databases: empty (list at least one database to back up)", problem(repoOnly + "databases: []\n"));
  }

  @Test
  void urlsAreCheckedAsConnectionStrings() {
    String p = problem(yaml().replace("postgresql://backup@db1/app", "\"postgresql://backup@db1:99999/app\""));
    assertEquals("databases[0].url: invalid port \"99999\": must be an integer from 1 to 65535", p);
    assertEquals("databases[0].url: missing (a postgresql:// URI or key=value connection string)",
        problem(yaml().replace("    url: postgresql://backup@db1/app\n", "")));
  }

  @Test
  void aBadUrlNeverShowsItsPassword() {
    String msg = failure(yaml().replace("postgresql://backup@db1/app", "\"postgresql://backup:s3cret/app\"")).getMessage();
    assertTrue(msg.contains("databases[0].url: "), msg);
    assertFalse(msg.contains("s3cret"), msg);
    env.put("CAIRN_APP_URL", "postgresql://backup:s3cret@db1:bad/app");
    msg = failure(yaml().replace("postgresql://backup@db1/app", "${CAIRN_APP_URL}")).getMessage();
    assertFalse(msg.contains("s3cret"), msg);
  }

  @Test
  void environmentVariablesAreSubstituted() {
    env.put("PORT", "9000");
    CairnConfig c = load(yaml().replace("postgresql://backup@db1/app", "${CAIRN_APP_URL}") + "http: {port: \"${PORT}\"}\n");
    assertEquals("postgresql://backup:s3cret@db1/app", c.databases().get(0).url());
    assertEquals(9000, c.http().port());
  }

  @Test
  void aMissingVariableNamesItAndTheKey() {
    assertEquals("databases[0].url: environment variable NO_SUCH_URL is not set",
        problem(yaml().replace("postgresql://backup@db1/app", "${NO_SUCH_URL}")));
    assertEquals("databases[0].url: \"${\" is not closed by \"}\" (write $${ for a literal ${)",
        problem(yaml().replace("postgresql://backup@db1/app", "\"${NO_SUCH_URL\"")));
  }

  @Test
  void doubleDollarWritesALiteral() {
    assertEquals(List.of("${literal}"), load(yaml("tables: [\"$${literal}\"]")).databases().get(0).tables());
  }

  @Test
  void substitutedValuesAreNotEchoed() {
    env.put("PORT", "s3cret");
    assertEquals("http.port: \"${PORT}\" (after substitution) is not a whole number",
        problem(yaml() + "http: {port: \"${PORT}\"}\n"));
  }

  @Test
  void yamlSyntaxErrorsNameLineAndColumn() {
    CairnException e = failure(yaml().replace("\"0 2 * * *\"", "@daily"));
    assertEquals("test.yaml: line 6, column 15: yaml syntax error: found character '@' that cannot start any token",
        e.getMessage());
    assertEquals("quote values that start with * or @, e.g. schedule: \"*/15 * * * *\" or \"@daily\"", e.hint());
    e = failure(yaml().replace("\"0 2 * * *\"", "* * * * *"));
    assertEquals("test.yaml: line 6, column 16: yaml syntax error: while scanning an alias: unexpected character found (32)",
        e.getMessage());
    assertEquals("quote values that start with * or @, e.g. schedule: \"*/15 * * * *\" or \"@daily\"", e.hint());
    e = failure("repository: {path: /x\ndatabases: [\n");
    assertTrue(e.getMessage().startsWith("test.yaml: line 2, column 10: yaml syntax error: "), e.getMessage());
  }

  @Test
  void duplicateKeysAreErrors() {
    assertEquals("databases[0].jobs: given twice (lines 7 and 8)", problem(yaml("jobs: 2", "jobs: 3")));
    assertEquals("databases: given twice (lines 3 and 7)", problem(yaml() + "databases: []\n"));
  }

  @Test
  void noTypesFromTheFile() {
    assertEquals("test.yaml: line 4, column 11: yaml syntax error: Global tag is not allowed: tag:yaml.org,2002:java.io.File",
        failure(yaml().replace("name: app", "name: !!java.io.File app")).getMessage());
    assertEquals("databases[0].name: tag !custom is not allowed", problem(yaml().replace("name: app", "name: !custom app")));
  }

  @Test
  void tablePatternsAreChecked() {
    assertEquals("databases[0].tables[1]: table pattern \"a.b.c\" is not of the form [schema.]name",
        problem(yaml("tables: [ok, a.b.c]")));
  }

  @Test
  void timeZonesAreChecked() {
    assertEquals("timezone: \"Europe/Berln\" is not a known time zone (e.g. UTC, Europe/Berlin, America/New_York)",
        problem(yaml() + "timezone: Europe/Berln\n"));
  }

  @Test
  void logSettingsAreChecked() {
    assertEquals("log.format: \"xml\" is not one of text, json", problem(yaml() + "log: {format: xml}\n"));
    assertEquals("log.level: \"loud\" is not one of error, warn, info, debug, trace", problem(yaml() + "log: {level: loud}\n"));
  }

  @Test
  void httpBindIsAHost() {
    assertEquals("http.bind: \"my host\" is not a host name or IP address", problem(yaml() + "http: {bind: my host}\n"));
    assertEquals("::1", load(yaml() + "http: {bind: \"::1\"}\n").http().bind());
  }

  @Test
  void pgBinMustBeADirectory() {
    assertEquals("pg_bin: " + tmp.resolve("none") + " is not a directory", problem(yaml() + "pg_bin: " + tmp.resolve("none") + "\n"));
  }

  @Test
  void everyProblemIsReportedAtOnceInFileOrder() {
    CairnException e = failure("""
        repository: {path: relative}
        databases:
          - name: app
            url: postgresql://backup@db1/app
            schedule: "0 25 * * *"
            jobs: 0
          - name: app
            url: host=db2
            schedule: "@daily"
            retention: {keep_last: -1}
            colour: red
        http: {port: abc}
        """);
    assertEquals("""
        test.yaml: 7 problems
        repository.path: "relative" is relative; write an absolute path
        databases[0].schedule: "0 25 * * *": hour 25 is out of range 0-23
        databases[0].jobs: 0 is out of range 1-64
        databases[1].name: "app" is used twice (also databases[0])
        databases[1].retention.keep_last: -1 must be 0 or more
        databases[1].colour: unknown key (known: name, url, jobs, schedule, timezone, retention, tables, exclude_tables, \
        backup_timeout, max_age, lock_timeout, split_size, chunk_size, verify_schedule, verify_after_backup, content, \
        slow_after, restore_test, repositories)
        http.port: "abc" is not a whole number""", e.getMessage());
    assertEquals("fix these keys in test.yaml; conf/cairn.yaml documents every setting", e.hint());
  }

  @Test
  void aMissingFileSaysSo() {
    CairnException e = assertThrows(CairnException.class, () -> ConfigLoader.load(tmp.resolve("nope.yaml"), env, tmp));
    assertEquals(ErrorCode.CONFIG, e.code());
    assertEquals("configuration file " + tmp.resolve("nope.yaml") + " does not exist", e.getMessage());
  }

  @Test
  void anEmptyFileNeedsARepositoryAndADatabase() {
    assertEquals(List.of("repository.path: missing (the directory backups are written to, e.g. /var/lib/cairn/backups)",
        "databases: missing (list at least one database to back up)"), problems(""));
  }

  @Test
  void toStringHidesPasswords() {
    env.put("CAIRN_APP_URL", "postgresql://backup:s3cret@db1/app");
    CairnConfig c = load(yaml().replace("postgresql://backup@db1/app", "${CAIRN_APP_URL}")
        + "  - {name: kv, url: \"host=db2 password='s3 cret' user=x\", schedule: \"@daily\"}\n");
    assertFalse(c.toString().contains("s3cret"), c.toString());
    assertFalse(c.toString().contains("s3 cret"), c.toString());
    assertTrue(c.toString().contains("postgresql://backup:***@db1/app"), c.toString());
  }
}
