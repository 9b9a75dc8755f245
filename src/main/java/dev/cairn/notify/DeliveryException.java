package dev.cairn.notify;

import java.time.Duration;

/**
 * A delivery that did not happen. {@code retryable}: a later attempt may succeed (5xx, 408, 429, a refused
 * or timed-out connection); {@code retryAfter}: what the receiver asked for (429/503 Retry-After), or null.
 * Messages never carry a sink's URL path, token or password.
 */
final class DeliveryException extends RuntimeException {
  private final boolean retryable;
  private final transient Duration retryAfter;

  DeliveryException(String message, boolean retryable, Duration retryAfter) {
    super(message, null, false, false);
    this.retryable = retryable;
    this.retryAfter = retryAfter;
  }

  boolean retryable() {
    return retryable;
  }

  Duration retryAfter() {
    return retryAfter;
  }
}
