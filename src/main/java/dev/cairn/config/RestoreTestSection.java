package dev.cairn.config;

import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.restoretest.Expect;
import dev.cairn.schedule.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** Reads and validates a database's {@code restore_test} section; every problem is recorded with its key path. */
final class RestoreTestSection {
  static final List<String> KEYS = List.of("schedule", "after_backup", "target", "tables", "checks", "amcheck",
      "keep_on_failure", "timeout", "max_test_age");
  static final List<String> CHECK_KEYS = List.of("name", "sql", "expect");

  private final Section s;
  private final String sourceUrl;
  private final Map<String, String> env;
  private final Path home;
  private final BiFunction<Section, String, Schedule> schedules;

  RestoreTestSection(Section s, String sourceUrl, Map<String, String> env, Path home,
      BiFunction<Section, String, Schedule> schedules) {
    this.s = s;
    this.sourceUrl = sourceUrl;
    this.env = env;
    this.home = home;
    this.schedules = schedules;
  }

  RestoreTestConfig read() {
    s.known(KEYS);
    Schedule schedule = schedules.apply(s, "schedule");
    boolean after = s.bool("after_backup", false);
    String target = target();
    int sample = sample();
    List<RestoreTestConfig.SqlCheck> checks = checks();
    boolean amcheck = s.bool("amcheck", true);
    boolean keep = s.bool("keep_on_failure", false);
    Duration timeout = s.duration("timeout", RestoreTestConfig.DEFAULT_TIMEOUT, Duration.ofSeconds(1));
    Duration maxAge = s.duration("max_test_age", null, Duration.ofMinutes(1));
    return new RestoreTestConfig(schedule, after, target, sample, checks, amcheck, keep, timeout, maxAge);
  }

  /** Required: restoring into a server must be asked for by name, and never into the database backed up. */
  private String target() {
    String t = s.string("target", null);
    if (t == null) {
      if (!s.has("target")) {
        s.problem("target", "missing (a postgresql:// URI of a server to restore into, or local for a throwaway"
            + " cluster started from the PostgreSQL binaries)");
      }
      return null;
    }
    if (t.trim().equals(RestoreTestConfig.LOCAL)) {
      return RestoreTestConfig.LOCAL;
    }
    try {
      ConnSpec target = ConnSpec.parse(t, env, home);
      ConnSpec source = sourceUrl == null ? null : ConnSpec.parse(sourceUrl, env, home);
      if (source != null && source.host().equals(target.host()) && source.port() == target.port()
          && source.database().equals(target.database())) {
        s.problem("target", "is the database backed up (" + target.describe() + "); a restore test creates its own"
            + " scratch database on the target server: name another database there, e.g. postgres");
        return null;
      }
    } catch (CairnException e) {
      s.problem("target", e.getMessage());
      return null;
    }
    return t;
  }

  /** {@code tables: all} (the default) or {@code tables: {sample: N}}. */
  private int sample() {
    if (!s.has("tables")) {
      return 0;
    }
    if (s.isMapping("tables")) {
      Section t = s.section("tables");
      t.known(List.of("sample"));
      if (!t.has("sample")) {
        t.problem("sample", "missing (the number of tables to test, e.g. sample: 5)");
        return 0;
      }
      return t.integer("sample", 0, 1, RestoreTestConfig.MAX_SAMPLE);
    }
    String v = s.string("tables", "all");
    if (!v.trim().equals("all")) {
      s.problem("tables", "\"" + v + "\" is not all or {sample: N}");
    }
    return 0;
  }

  private List<RestoreTestConfig.SqlCheck> checks() {
    List<Section> list = s.sections("checks");
    List<RestoreTestConfig.SqlCheck> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Section c = list.get(i);
      c.known(CHECK_KEYS);
      String name = required(c, "name", "a short name for messages, e.g. recent orders");
      String sql = required(c, "sql", "a query whose first column of its first row is checked");
      String expect = required(c, "expect", "e.g. \"> 0\", \"= 5\", \"between 1 and 10\" or \"true\"");
      if (expect != null) {
        try {
          Expect.parse(expect);
        } catch (IllegalArgumentException e) {
          c.problem("expect", e.getMessage());
          expect = null;
        }
      }
      if (name != null) {
        Integer first = names.putIfAbsent(name, i);
        if (first != null) {
          c.problem("name", "\"" + name + "\" is used twice (also checks[" + first + "])");
        }
      }
      if (name != null && sql != null && expect != null) {
        out.add(new RestoreTestConfig.SqlCheck(name, sql, expect));
      }
    }
    return out;
  }

  private static String required(Section c, String key, String what) {
    String v = c.string(key, null);
    if (v == null && !c.has(key)) {
      c.problem(key, "missing (" + what + ")");
    } else if (v != null && v.isBlank()) {
      c.problem(key, "is empty");
      return null;
    }
    return v;
  }
}
