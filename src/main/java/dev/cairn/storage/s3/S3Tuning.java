package dev.cairn.storage.s3;

import java.time.Duration;

/**
 * How hard the S3 client tries: attempts and total time of a request's retries (exponential backoff
 * with full jitter between {@code baseDelay} and {@code maxDelay}), how long a connection may stall
 * before the attempt is given up, and how many parts of one upload are in memory at once (the part
 * being filled included): an upload holds at most {@code partsInFlight} × part size bytes.
 */
public record S3Tuning(int maxAttempts, Duration baseDelay, Duration maxDelay, Duration totalTime, Duration idleTimeout,
    Duration connectTimeout, int partsInFlight, int maxConnections) {
  public static final int DEFAULT_MAX_ATTEMPTS = 8;
  public static final Duration DEFAULT_TOTAL_TIME = Duration.ofMinutes(3);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  /** One part filling while one uploads: 64 MiB at the default part size, within the CLI's 160 MiB heap (parts are off-heap). */
  public static final int DEFAULT_PARTS_IN_FLIGHT = 2;

  public static S3Tuning defaults() {
    return new S3Tuning(DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(200), Duration.ofSeconds(20), DEFAULT_TOTAL_TIME,
        DEFAULT_IDLE_TIMEOUT, Duration.ofSeconds(10), DEFAULT_PARTS_IN_FLIGHT, 16);
  }

  /** The same with other retry bounds (tests, and operators on flaky links). */
  public S3Tuning withRetries(int attempts, Duration base, Duration total) {
    return new S3Tuning(attempts, base, maxDelay, total, idleTimeout, connectTimeout, partsInFlight, maxConnections);
  }

  public S3Tuning withIdleTimeout(Duration idle) {
    return new S3Tuning(maxAttempts, baseDelay, maxDelay, totalTime, idle, connectTimeout, partsInFlight, maxConnections);
  }
}
