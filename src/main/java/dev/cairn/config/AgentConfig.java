package dev.cairn.config;

import dev.cairn.schedule.Schedule;
import java.time.Duration;

/**
 * The agent as a whole.
 *
 * @param maxConcurrentJobs backups (and retention runs) running at once, across all databases
 * @param runMissedOnStart at start-up, take one backup of each database whose scheduled time passed
 *     while the agent was down (one, however many times were missed)
 * @param retentionSchedule when retention runs on its own schedule, or null when not configured
 * @param historyLimit finished jobs remembered for the API
 * @param shutdownGrace how long running jobs get to finish on SIGTERM before they are cancelled
 * @param copyAttempts how many times a copy to another repository is tried before its job fails
 * @param copyBackoff the wait after a copy's first failed attempt; it doubles after each (at most 30 min), ±25 %
 */
public record AgentConfig(int maxConcurrentJobs, boolean runMissedOnStart, Schedule retentionSchedule,
    int historyLimit, Duration shutdownGrace, int copyAttempts, Duration copyBackoff) {
  public static final int DEFAULT_MAX_CONCURRENT_JOBS = 2;
  public static final boolean DEFAULT_RUN_MISSED_ON_START = true;
  public static final int DEFAULT_HISTORY_LIMIT = 1000;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  public static final int DEFAULT_COPY_ATTEMPTS = 5;
  public static final Duration DEFAULT_COPY_BACKOFF = Duration.ofSeconds(30);
  public static final AgentConfig DEFAULTS = new AgentConfig(DEFAULT_MAX_CONCURRENT_JOBS, DEFAULT_RUN_MISSED_ON_START,
      null, DEFAULT_HISTORY_LIMIT, DEFAULT_SHUTDOWN_GRACE);

  /** With the default copy retries. */
  public AgentConfig(int maxConcurrentJobs, boolean runMissedOnStart, Schedule retentionSchedule, int historyLimit,
      Duration shutdownGrace) {
    this(maxConcurrentJobs, runMissedOnStart, retentionSchedule, historyLimit, shutdownGrace, DEFAULT_COPY_ATTEMPTS,
        DEFAULT_COPY_BACKOFF);
  }
}
