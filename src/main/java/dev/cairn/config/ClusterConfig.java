package dev.cairn.config;

import dev.cairn.schedule.Schedule;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A cluster whose WAL is streamed into the repository, with base backups on a schedule (point-in-time recovery).
 *
 * @param url a connection string of a role with REPLICATION ({@code ?replication=true} is accepted and ignored:
 *     pg_receivewal and pg_basebackup ask for replication themselves)
 * @param baseSchedule when base backups are taken (one is taken at start when the cluster has none)
 * @param slot the physical replication slot the WAL stream uses (created when missing)
 * @param maxLag health turns red when the newest WAL in the repository is older than this behind the server
 * @param spool where pg_receivewal writes the segment being received, before it is published
 * @param keepBaseBackups base backups kept; WAL older than the oldest kept one is deleted
 * @param restoreTest the PITR restore test (a sentinel row, a restore to latest into a throwaway cluster), or null
 */
public record ClusterConfig(String name, String url, Schedule baseSchedule, String slot, Duration maxLag, Path spool,
    int keepBaseBackups, RestoreTest restoreTest) {
  public static final Duration DEFAULT_MAX_LAG = Duration.ofMinutes(5);
  public static final int DEFAULT_KEEP_BASE_BACKUPS = 7;
  public static final String DEFAULT_BASE_SCHEDULE = "0 1 * * *";

  /**
   * @param schedule when the agent runs the test (null: by hand only, {@code cairn pitr test})
   * @param maxTestAge health turns red when the last passed test is older (null: no limit)
   * @param timeout a test running longer fails (the sentinel's WAL not arriving, a recovery that does not end)
   */
  public record RestoreTest(Schedule schedule, Duration maxTestAge, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);
  }

  /** {@code cairn_NAME}, with characters a slot name cannot hold replaced. */
  public static String defaultSlot(String name) {
    return ("cairn_" + name).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  /** {@code TMPDIR/cairn-wal/NAME}. */
  public static Path defaultSpool(String name) {
    return Path.of(System.getProperty("java.io.tmpdir"), "cairn-wal", name);
  }
}
