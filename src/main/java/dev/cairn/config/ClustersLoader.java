package dev.cairn.config;

import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.schedule.Schedule;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The {@code clusters:} section (point-in-time recovery), validated with key paths like the rest. */
final class ClustersLoader {
  static final List<String> CLUSTER_KEYS = List.of("name", "url", "base_backup", "wal", "retention",
      "restore_test");
  static final List<String> BASE_KEYS = List.of("schedule");
  static final List<String> WAL_KEYS = List.of("slot", "max_lag", "spool");
  static final List<String> RETENTION_KEYS = List.of("keep_base_backups");
  static final List<String> TEST_KEYS = List.of("schedule", "max_test_age", "timeout");

  private ClustersLoader() {}

  static List<ClusterConfig> clusters(Section top, ZoneId zone, Map<String, String> env, Path home) {
    List<Section> list = top.sections("clusters");
    if (list == null) {
      return List.of();
    }
    List<ClusterConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Section s : list) {
      s.known(CLUSTER_KEYS);
      String name = s.string("name", null);
      if (name == null || !DatabaseConfig.NAME.matcher(name).matches()) {
        s.problem("name", name == null ? "missing (the cluster's name in the repository, e.g. main)"
            : "\"" + name + "\" must be 1 to 63 letters, digits, _ or -, starting with a letter or digit");
        continue;
      }
      if (!names.add(name)) {
        s.problem("name", "\"" + name + "\" is used twice");
      }
      String url = s.string("url", null);
      if (url == null) {
        s.problem("url", "missing (a connection string of a role with REPLICATION)");
      } else {
        try {
          ConnSpec.parse(url.replaceAll("([?&])replication=[^&]*(&|$)", "$1").replaceAll("[?&]$", ""), env, home);
        } catch (CairnException e) {
          s.problem("url", e.getMessage());
        }
      }
      Section base = s.section("base_backup");
      base.known(BASE_KEYS);
      String expr = base.string("schedule", ClusterConfig.DEFAULT_BASE_SCHEDULE);
      Schedule schedule = null;
      try {
        schedule = Schedule.parse(List.of(expr), zone);
      } catch (RuntimeException e) {
        base.problem("schedule", "\"" + expr + "\" is not a cron expression: " + e.getMessage());
      }
      Section wal = s.section("wal");
      wal.known(WAL_KEYS);
      String slot = wal.string("slot", ClusterConfig.defaultSlot(name));
      if (!slot.matches("[a-z0-9_]{1,63}")) {
        wal.problem("slot", "\"" + slot + "\" must be 1 to 63 lowercase letters, digits or _ (a replication slot name)");
      }
      Duration maxLag = wal.duration("max_lag", ClusterConfig.DEFAULT_MAX_LAG, Duration.ofSeconds(1));
      String spool = wal.string("spool", null);
      Path spoolDir = spool == null ? ClusterConfig.defaultSpool(name) : Path.of(spool.startsWith("~/") && home != null
          ? home.resolve(spool.substring(2)).toString() : spool);
      Section ret = s.section("retention");
      ret.known(RETENTION_KEYS);
      int keep = ret.integer("keep_base_backups", ClusterConfig.DEFAULT_KEEP_BASE_BACKUPS, 1, 10_000);
      out.add(new ClusterConfig(name, url, schedule, slot, maxLag, spoolDir, keep, restoreTest(s, zone)));
    }
    return out;
  }

  /** {@code restore_test:} of a cluster, or null when absent. */
  private static ClusterConfig.RestoreTest restoreTest(Section cluster, ZoneId zone) {
    if (!cluster.has("restore_test")) {
      return null;
    }
    Section t = cluster.section("restore_test");
    t.known(TEST_KEYS);
    String expr = t.string("schedule", null);
    Schedule schedule = null;
    if (expr != null) {
      try {
        schedule = Schedule.parse(List.of(expr), zone);
      } catch (RuntimeException e) {
        t.problem("schedule", "\"" + expr + "\" is not a cron expression: " + e.getMessage());
      }
    }
    Duration maxAge = t.duration("max_test_age", null, Duration.ofMinutes(1));
    Duration timeout = t.duration("timeout", ClusterConfig.RestoreTest.DEFAULT_TIMEOUT, Duration.ofSeconds(10));
    return new ClusterConfig.RestoreTest(schedule, maxAge, timeout);
  }
}
