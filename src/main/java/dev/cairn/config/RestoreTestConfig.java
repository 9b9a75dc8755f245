package dev.cairn.config;

import dev.cairn.schedule.Schedule;
import java.time.Duration;
import java.util.List;

/**
 * A database's restore tests: when they run, where they restore, what they prove.
 *
 * @param schedule when to test the newest good backup; null = not on a schedule
 * @param afterBackup whether each published backup is tested at once
 * @param target a server to restore into (libpq URI or key=value, any database on it: the test creates its
 *     own scratch database there), or {@link #LOCAL}: a throwaway cluster started from the PostgreSQL binaries
 * @param sample 0 = every table; N = the N/2 biggest tables and random others, N in all
 * @param checks SQL run on the restored database, each with an expectation
 * @param amcheck whether every btree index is checked with amcheck's bt_index_check (when available)
 * @param keepOnFailure whether a failed test leaves its scratch database (or local cluster) to look at
 * @param timeout a test still running after this long is cancelled and fails
 * @param maxTestAge health turns red when the last passed test is older; null = no limit
 */
public record RestoreTestConfig(Schedule schedule, boolean afterBackup, String target, int sample,
    List<SqlCheck> checks, boolean amcheck, boolean keepOnFailure, Duration timeout, Duration maxTestAge) {
  public static final String LOCAL = "local";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);
  public static final int MAX_SAMPLE = 100_000;

  /** {@code expect}: as {@code dev.cairn.restoretest.Expect} reads it ({@code > 0}, {@code between 1 and 9}, ...). */
  public record SqlCheck(String name, String sql, String expect) {}

  public RestoreTestConfig {
    checks = List.copyOf(checks);
  }

  public boolean local() {
    return LOCAL.equals(target);
  }

  @Override
  public String toString() {
    return "RestoreTestConfig[schedule=" + schedule + ", afterBackup=" + afterBackup + ", target="
        + DatabaseConfig.redact(target) + ", sample=" + sample + ", checks=" + checks.size() + ", amcheck=" + amcheck
        + ", keepOnFailure=" + keepOnFailure + ", timeout=" + timeout + ", maxTestAge=" + maxTestAge + "]";
  }
}
