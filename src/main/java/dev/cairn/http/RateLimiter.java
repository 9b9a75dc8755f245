package dev.cairn.http;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * A token bucket per key (token name): {@code perMinute} requests at once, refilled evenly over a minute.
 * Event-loop confined (one HTTP verticle): no locking. 0 per minute turns it off.
 */
final class RateLimiter {
  private final int perMinute;
  private final Clock clock;
  private final Map<String, double[]> buckets = new HashMap<>(); // key -> {tokens, lastMillis}

  RateLimiter(int perMinute, Clock clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** 0 when the request may go ahead (and is counted), else the seconds to wait for the next one. */
  long acquire(String key) {
    if (perMinute <= 0) {
      return 0;
    }
    long now = clock.millis();
    double[] b = buckets.computeIfAbsent(key, k -> new double[] {perMinute, now});
    double perMilli = perMinute / 60_000.0;
    b[0] = Math.min(perMinute, b[0] + Math.max(0, now - (long) b[1]) * perMilli);
    b[1] = now;
    if (b[0] >= 1) {
      b[0] -= 1;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((1 - b[0]) / perMilli / 1000.0));
  }
}
