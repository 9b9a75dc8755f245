package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private static final class Ticking extends Clock {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aBurstOfTheRateIsAllowedThenOneRequestPerRefillInterval() {
    Ticking clock = new Ticking();
    RateLimiter l = new RateLimiter(6, clock);
    for (int i = 0; i < 6; i++) {
      assertEquals(0, l.acquire("a"));
    }
    long wait = l.acquire("a");
    assertEquals(10, wait, "6 per minute: one every 10 s");
    assertEquals(0, l.acquire("b"), "each token has its own bucket");
    clock.now = clock.now.plus(Duration.ofSeconds(10));
    assertEquals(0, l.acquire("a"));
    assertTrue(l.acquire("a") > 0);
  }

  @Test
  void zeroTurnsTheLimitOff() {
    RateLimiter l = new RateLimiter(0, new Ticking());
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, l.acquire("a"));
    }
  }
}
