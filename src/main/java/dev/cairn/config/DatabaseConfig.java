package dev.cairn.config;

import dev.cairn.schedule.Schedule;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One database the agent backs up.
 *
 * @param name the name in backup ids ({@code <name>-<UTC time>})
 * @param url the connection string as written, after {@code ${VAR}} substitution: it holds a password
 *     only if the configuration put one there. Never log it; {@link #toString()} hides passwords.
 * @param schedule when to back it up, in {@code timezone}
 * @param tables include patterns ({@code [schema.]name}, {@code *} and {@code ?}); empty = all tables
 * @param excludeTables exclude patterns
 * @param backupTimeout a backup still running after this long is cancelled
 * @param maxAge the newest good backup older than this makes the database stale (health check)
 * @param lockTimeout how long to wait for each table's ACCESS SHARE lock
 * @param splitBytes tables larger than this are copied as several page ranges
 * @param chunkBytes uncompressed size of an archive chunk
 * @param verifySchedule when the agent verifies the newest good backup on its own; null = never
 * @param verifyAfterBackup whether each published backup is verified at once
 * @param content what each backup takes: {@code all}, {@code schema-only} or {@code data-only}
 * @param slowAfter a backup running longer than this is reported slow (notifications), or null: never
 * @param restoreTest the database's restore tests; null = none configured
 * @param repositories the names of the repositories its backups go to, the first receiving them; empty = all
 */
public record DatabaseConfig(String name, String url, int jobs, Schedule schedule, ZoneId timezone,
    RetentionConfig retention, List<String> tables, List<String> excludeTables, Duration backupTimeout,
    Duration maxAge, Duration lockTimeout, long splitBytes, int chunkBytes, Schedule verifySchedule,
    boolean verifyAfterBackup, String content, Duration slowAfter, RestoreTestConfig restoreTest,
    List<String> repositories) {
  /** Database names: they start backup ids, so the same rule as {@code Repository.ID}'s first part. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  public static final int DEFAULT_JOBS = 2;
  public static final int MIN_JOBS = 1;
  public static final int MAX_JOBS = 64;
  public static final Duration DEFAULT_BACKUP_TIMEOUT = Duration.ofHours(6);
  public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(26);
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(10);
  public static final long DEFAULT_SPLIT_BYTES = 64L << 20;
  public static final long MIN_SPLIT_BYTES = 1L << 20;
  public static final int DEFAULT_CHUNK_BYTES = 4 << 20;
  public static final int MIN_CHUNK_BYTES = 4 << 10;
  public static final int MAX_CHUNK_BYTES = 8 << 20;
  public static final String DEFAULT_CONTENT = "all";
  /** As {@code backup --schema-only} / {@code --data-only}; the labels of {@code Manifest.Content}. */
  public static final List<String> CONTENTS = List.of("all", "schema-only", "data-only");

  public DatabaseConfig {
    tables = List.copyOf(tables);
    excludeTables = List.copyOf(excludeTables);
    repositories = List.copyOf(repositories);
  }

  /** Without slow_after and restore tests, backed up to every configured repository. */
  public DatabaseConfig(String name, String url, int jobs, Schedule schedule, ZoneId timezone,
      RetentionConfig retention, List<String> tables, List<String> excludeTables, Duration backupTimeout,
      Duration maxAge, Duration lockTimeout, long splitBytes, int chunkBytes, Schedule verifySchedule,
      boolean verifyAfterBackup, String content) {
    this(name, url, jobs, schedule, timezone, retention, tables, excludeTables, backupTimeout, maxAge, lockTimeout,
        splitBytes, chunkBytes, verifySchedule, verifyAfterBackup, content, null, null, List.of());
  }

  @Override
  public String toString() {
    return "DatabaseConfig[name=" + name + ", url=" + redact(url) + ", jobs=" + jobs + ", schedule=" + schedule
        + ", timezone=" + timezone + ", retention=" + retention + ", tables=" + tables + ", excludeTables="
        + excludeTables + ", backupTimeout=" + backupTimeout + ", maxAge=" + maxAge + ", lockTimeout=" + lockTimeout
        + ", splitBytes=" + splitBytes + ", chunkBytes=" + chunkBytes + ", verifySchedule=" + verifySchedule
        + ", verifyAfterBackup=" + verifyAfterBackup + ", content=" + content + ", slowAfter=" + slowAfter
        + (restoreTest == null ? "" : ", restoreTest=" + restoreTest) + ", repositories=" + repositories + "]";
  }

  /** The url with any password replaced by {@code ***} (URI user info, {@code password=} parameters). */
  static String redact(String url) {
    if (url == null) {
      return null;
    }
    return url.replaceAll("(://[^:/@?#]*:)[^@/?#]*@", "$1***@")
        .replaceAll("(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^&\\s]*)", "$1***");
  }
}
