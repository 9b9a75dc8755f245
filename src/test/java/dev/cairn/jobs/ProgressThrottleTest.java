package dev.cairn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressThrottleTest {
  private final ProgressThrottle throttle = new ProgressThrottle(Duration.ofSeconds(1));

  @Test
  void theFirstReportIsSentAtOnce() {
    assertEquals(0, throttle.offer(5_000));
  }

  @Test
  void aReportWithinTheIntervalIsSentWhenTheIntervalIsOverAndFurtherOnesJoinThatSend() {
    assertEquals(0, throttle.offer(5_000));
    assertEquals(700, throttle.offer(5_300), "the latest report goes out at 6000");
    assertEquals(-1, throttle.offer(5_400));
    assertEquals(-1, throttle.offer(5_999));
    throttle.sent(6_000);
    assertEquals(500, throttle.offer(6_500), "the interval counts from the planned send");
  }

  @Test
  void aReportAfterAQuietIntervalIsSentAtOnce() {
    assertEquals(0, throttle.offer(5_000));
    assertEquals(0, throttle.offer(6_000));
    assertEquals(0, throttle.offer(9_000));
  }

  /** Reports every 10 ms for 10 s, with the planned sends done when asked: one update per second. */
  @Test
  void aReportEveryTenMillisecondsForTenSecondsSendsAboutOneUpdatePerSecond() {
    List<Long> sends = new ArrayList<>();
    long plannedAt = -1;
    for (long t = 0; t <= 10_000; t += 10) {
      if (plannedAt >= 0 && t >= plannedAt) {
        throttle.sent(t);
        sends.add(t);
        plannedAt = -1;
      }
      long wait = throttle.offer(t);
      if (wait == 0) {
        sends.add(t);
      } else if (wait > 0) {
        plannedAt = t + wait;
      }
    }
    assertEquals(List.of(0L, 1000L, 2000L, 3000L, 4000L, 5000L, 6000L, 7000L, 8000L, 9000L, 10_000L), sends);
  }

  @Test
  void aClockThatWentBackDoesNotStallProgress() {
    assertEquals(0, throttle.offer(100_000));
    assertEquals(0, throttle.offer(40_000));
    assertEquals(500, throttle.offer(40_500));
  }
}
