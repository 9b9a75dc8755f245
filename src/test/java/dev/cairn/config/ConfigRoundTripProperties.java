package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.schedule.Schedule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any valid configuration, written as YAML (with or without the keys that hold defaults), loads as itself. */
class ConfigRoundTripProperties {
  private static final Path DIR;

  static {
    try {
      DIR = Files.createTempDirectory("cairn-config-props");
      DIR.toFile().deleteOnExit();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Schedules with the widest gap between two of their runs (daylight saving can add an hour). */
  private record Sched(List<String> expressions, Duration widest) {}

  private static final List<Sched> SCHEDULES = List.of(
      new Sched(List.of("0 2 * * *"), Duration.ofHours(25)),
      new Sched(List.of("@daily"), Duration.ofHours(25)),
      new Sched(List.of("@hourly"), Duration.ofHours(2)),
      new Sched(List.of("*/10 * * * * *"), Duration.ofHours(1)),
      new Sched(List.of("0 */6 * * *", "@daily"), Duration.ofHours(7)),
      new Sched(List.of("30 1 * * mon-fri"), Duration.ofHours(73)),
      new Sched(List.of("@weekly"), Duration.ofDays(7).plusHours(1)));
  private static final List<ZoneId> ZONES =
      List.of(ZoneOffset.UTC, ZoneId.of("Europe/Berlin"), ZoneId.of("America/New_York"), ZoneId.of("Asia/Tokyo"));

  private static Arbitrary<Duration> durations(long minSeconds, long maxSeconds) {
    return Arbitraries.longs().between(minSeconds, maxSeconds).map(Duration::ofSeconds);
  }

  private Arbitrary<DatabaseConfig> database(String name, int i) {
    Arbitrary<String> url = Arbitraries.of("host=db" + i + " dbname=d" + i, "postgresql://backup@db" + i + ":5433/app?sslmode=require",
        "postgresql:///app", "host=/var/run/postgresql user=backup");
    Arbitrary<RetentionConfig> retention = Combinators.combine(counts(), counts(), counts(), counts(), counts())
        .as(RetentionConfig::new);
    Arbitrary<List<String>> patterns = Arbitraries.of("public.*", "orders", "s?les.x*", "audit.log").list().ofMaxSize(3);
    Arbitrary<Sched> sched = Arbitraries.of(SCHEDULES);
    Arbitrary<ZoneId> zone = Arbitraries.of(ZONES);
    Arbitrary<Long> split = Arbitraries.longs().between(1, 4096).map(n -> n << 20);
    Arbitrary<Integer> chunk = Arbitraries.integers().between(1, 2048).map(n -> n << 12);
    return Builders.withBuilder(() -> new Object[16])
        .use(url).in((a, v) -> set(a, 1, v))
        .use(Arbitraries.integers().between(1, 64)).in((a, v) -> set(a, 2, v))
        .use(Combinators.combine(sched, zone, durations(0, 86_400)).as((s, z, extra) -> new Object[] {s, z, extra}))
        .in((a, v) -> {
          Sched s = (Sched) v[0];
          set(a, 3, Schedule.parse(s.expressions, (ZoneId) v[1]));
          set(a, 4, v[1]);
          set(a, 9, s.widest.plusSeconds(1).plus((Duration) v[2])); // max_age
          return a;
        })
        .use(retention).in((a, v) -> set(a, 5, v))
        .use(patterns).in((a, v) -> set(a, 6, v))
        .use(patterns).in((a, v) -> set(a, 7, v))
        .use(durations(1, 2 * 86_400)).in((a, v) -> set(a, 8, v))
        .use(Arbitraries.longs().between(1, 600_000).map(Duration::ofMillis)).in((a, v) -> set(a, 10, v))
        .use(split).in((a, v) -> set(a, 11, v))
        .use(chunk).in((a, v) -> set(a, 12, v))
        .use(Arbitraries.of(SCHEDULES).injectNull(0.5)).in((a, v) -> set(a, 13, v == null ? null
            : Schedule.parse(v.expressions, (ZoneId) a[4])))
        .use(Arbitraries.of(true, false)).in((a, v) -> set(a, 14, v))
        .use(Arbitraries.of(DatabaseConfig.CONTENTS)).in((a, v) -> set(a, 15, v))
        .build(a -> new DatabaseConfig(name, (String) a[1], (Integer) a[2], (Schedule) a[3], (ZoneId) a[4],
            (RetentionConfig) a[5], cast(a[6]), cast(a[7]), (Duration) a[8], (Duration) a[9], (Duration) a[10],
            (Long) a[11], (Integer) a[12], (Schedule) a[13], (Boolean) a[14], (String) a[15]));
  }

  @SuppressWarnings("unchecked")
  private static List<String> cast(Object o) {
    return (List<String>) o;
  }

  private static Object[] set(Object[] a, int i, Object v) {
    a[i] = v;
    return a;
  }

  private static Arbitrary<Integer> counts() {
    return Arbitraries.integers().between(0, 400).edgeCases(c -> c.add(0));
  }

  @Provide
  Arbitrary<CairnConfig> configs() {
    Arbitrary<List<DatabaseConfig>> dbs = Arbitraries.integers().between(1, 3).flatMap(n -> {
      List<Arbitrary<DatabaseConfig>> each = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        each.add(database(i % 2 == 0 ? "db" + i : "App_" + i + "-x", i));
      }
      return Combinators.combine(each).as(List::copyOf);
    });
    Arbitrary<HttpConfig> http = Combinators.combine(Arbitraries.of("127.0.0.1", "0.0.0.0", "::1", "localhost"),
        Arbitraries.integers().between(1, 65535)).as(HttpConfig::new);
    Arbitrary<Schedule> retentionSchedule = Arbitraries.of(SCHEDULES).map(s -> Schedule.parse(s.expressions, ZoneOffset.UTC))
        .injectNull(0.5);
    Arbitrary<AgentConfig> agent = Combinators.combine(Arbitraries.integers().between(1, 64), Arbitraries.of(true, false),
        retentionSchedule, Arbitraries.integers().between(1, 1_000_000), durations(0, 3600)).as(AgentConfig::new);
    Arbitrary<LogConfig> log = Combinators.combine(Arbitraries.of(LogConfig.FORMATS), Arbitraries.of(LogConfig.LEVELS))
        .as(LogConfig::new);
    Arbitrary<Path> pgBin = Arbitraries.just(DIR).injectNull(0.5);
    return Combinators.combine(dbs, http, agent, log, pgBin)
        .as((d, h, a, l, p) -> {
          // the retention schedule is in the top-level time zone, which render() takes from the first database
          Schedule rs = a.retentionSchedule() == null ? null
              : Schedule.parse(a.retentionSchedule().expressions(), d.get(0).timezone());
          AgentConfig agentInZone = new AgentConfig(a.maxConcurrentJobs(), a.runMissedOnStart(), rs, a.historyLimit(),
              a.shutdownGrace());
          return new CairnConfig(new RepositoryConfig(DIR.resolve("repo")), d, h, agentInZone, l, p);
        });
  }

  @Property(tries = 200)
  void renderedConfigsLoadAsThemselves(@ForAll("configs") CairnConfig config, @ForAll boolean omitDefaults) {
    String yaml = render(config, omitDefaults);
    assertEquals(config, ConfigLoader.parse(yaml, "generated.yaml", Map.of(), DIR), yaml);
  }

  // --- a YAML writer for the test: every string double-quoted ---

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("${", "$${") + "\"";
  }

  private static String list(List<String> items) {
    return "[" + String.join(", ", items.stream().map(ConfigRoundTripProperties::q).toList()) + "]";
  }

  private static void key(StringBuilder sb, String indent, String key, Object value, Object def, boolean omitDefaults) {
    if (!(omitDefaults && value.equals(def))) {
      sb.append(indent).append(key).append(": ").append(value instanceof String s ? q(s) : value).append('\n');
    }
  }

  static String render(CairnConfig c, boolean omitDefaults) {
    StringBuilder sb = new StringBuilder();
    sb.append("repository:\n  path: ").append(q(c.repository().path().toString())).append('\n');
    // the top-level timezone is the first database's, so that it can be left out there
    ZoneId top = c.databases().get(0).timezone();
    sb.append("timezone: ").append(q(top.getId())).append('\n');
    sb.append("databases:\n");
    for (DatabaseConfig d : c.databases()) {
      String in = "    ";
      sb.append("  - name: ").append(q(d.name())).append('\n');
      key(sb, in, "url", d.url(), null, omitDefaults);
      key(sb, in, "jobs", d.jobs(), DatabaseConfig.DEFAULT_JOBS, omitDefaults);
      List<String> exprs = d.schedule().expressions();
      sb.append(in).append("schedule: ").append(exprs.size() == 1 ? q(exprs.get(0)) : list(exprs)).append('\n');
      if (!(omitDefaults && d.timezone().equals(top))) {
        sb.append(in).append("timezone: ").append(q(d.timezone().getId())).append('\n');
      }
      RetentionConfig r = d.retention();
      if (!(omitDefaults && r.keepsEverything())) {
        sb.append(in).append("retention:\n");
        int[] v = {r.keepLast(), r.keepDays(), r.keepDaily(), r.keepWeekly(), r.keepMonthly()};
        for (int i = 0; i < v.length; i++) {
          key(sb, in + "  ", ConfigLoader.RETENTION_KEYS.get(i), v[i], 0, omitDefaults);
        }
      }
      if (!(omitDefaults && d.tables().isEmpty())) {
        sb.append(in).append("tables: ").append(list(d.tables())).append('\n');
      }
      if (!(omitDefaults && d.excludeTables().isEmpty())) {
        sb.append(in).append("exclude_tables: ").append(list(d.excludeTables())).append('\n');
      }
      key(sb, in, "backup_timeout", Units.format(d.backupTimeout()), Units.format(DatabaseConfig.DEFAULT_BACKUP_TIMEOUT), omitDefaults);
      key(sb, in, "max_age", Units.format(d.maxAge()), Units.format(DatabaseConfig.DEFAULT_MAX_AGE), omitDefaults);
      key(sb, in, "lock_timeout", Units.format(d.lockTimeout()), Units.format(DatabaseConfig.DEFAULT_LOCK_TIMEOUT), omitDefaults);
      key(sb, in, "split_size", Units.formatSize(d.splitBytes()), Units.formatSize(DatabaseConfig.DEFAULT_SPLIT_BYTES), omitDefaults);
      key(sb, in, "chunk_size", d.chunkBytes() % 3 == 0 ? String.valueOf(d.chunkBytes()) : Units.formatSize(d.chunkBytes()),
          Units.formatSize(DatabaseConfig.DEFAULT_CHUNK_BYTES), omitDefaults);
      if (d.verifySchedule() != null) {
        List<String> v = d.verifySchedule().expressions();
        sb.append(in).append("verify_schedule: ").append(v.size() == 1 ? q(v.get(0)) : list(v)).append('\n');
      }
      key(sb, in, "verify_after_backup", d.verifyAfterBackup(), false, omitDefaults);
      key(sb, in, "content", d.content(), DatabaseConfig.DEFAULT_CONTENT, omitDefaults);
    }
    sb.append("http:\n");
    key(sb, "  ", "bind", c.http().bind(), HttpConfig.DEFAULT_BIND, omitDefaults);
    key(sb, "  ", "port", c.http().port(), HttpConfig.DEFAULT_PORT, omitDefaults);
    AgentConfig a = c.agent();
    sb.append("agent:\n");
    key(sb, "  ", "max_concurrent_jobs", a.maxConcurrentJobs(), AgentConfig.DEFAULT_MAX_CONCURRENT_JOBS, omitDefaults);
    key(sb, "  ", "run_missed_on_start", a.runMissedOnStart(), AgentConfig.DEFAULT_RUN_MISSED_ON_START, omitDefaults);
    if (a.retentionSchedule() != null) {
      // the retention schedule is in the top-level time zone
      sb.append("  retention_schedule: ").append(list(a.retentionSchedule().expressions())).append('\n');
    }
    key(sb, "  ", "history_limit", a.historyLimit(), AgentConfig.DEFAULT_HISTORY_LIMIT, omitDefaults);
    key(sb, "  ", "shutdown_grace", Units.format(a.shutdownGrace()), Units.format(AgentConfig.DEFAULT_SHUTDOWN_GRACE), omitDefaults);
    sb.append("log:\n");
    key(sb, "  ", "format", c.log().format(), LogConfig.DEFAULT_FORMAT, omitDefaults);
    key(sb, "  ", "level", c.log().level(), LogConfig.DEFAULT_LEVEL, omitDefaults);
    if (c.pgBin() != null) {
      sb.append("pg_bin: ").append(q(c.pgBin().toString())).append('\n');
    }
    return sb.toString();
  }
}
