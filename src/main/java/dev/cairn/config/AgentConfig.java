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
 */
public record AgentConfig(int maxConcurrentJobs, boolean runMissedOnStart, Schedule retentionSchedule,
    int historyLimit, Duration shutdownGrace) {
  public static final int DEFAULT_MAX_CONCURRENT_JOBS = 2;
  public static final boolean DEFAULT_RUN_MISSED_ON_START = true;
  public static final int DEFAULT_HISTORY_LIMIT = 1000;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  public static final AgentConfig DEFAULTS = new AgentConfig(DEFAULT_MAX_CONCURRENT_JOBS, DEFAULT_RUN_MISSED_ON_START,
      null, DEFAULT_HISTORY_LIMIT, DEFAULT_SHUTDOWN_GRACE);
}
