package dev.cairn.notify;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often and how long a delivery is retried: exponential backoff from {@code base} with ±20 % jitter,
 * capped at {@code max} between attempts, {@code attempts} in all; a receiver's Retry-After wins when longer.
 */
record Retry(Duration base, Duration max, int attempts) {
  static final Retry DEFAULT = new Retry(Duration.ofSeconds(2), Duration.ofMinutes(5), 12);

  /** The wait before attempt {@code n + 1}, after {@code n} failed ones. */
  Duration delay(int failed, Duration retryAfter) {
    long b = base.toMillis() << Math.min(20, Math.max(0, failed - 1));
    long capped = Math.min(b, max.toMillis());
    long jittered = Math.round(capped * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    Duration d = Duration.ofMillis(Math.max(1, jittered));
    return retryAfter != null && retryAfter.compareTo(d) > 0 ? retryAfter : d;
  }
}
