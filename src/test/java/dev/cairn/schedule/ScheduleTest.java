package dev.cairn.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZonedDateTime JAN1 = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  private static Schedule schedule(ZoneId zone, String... expressions) {
    return Schedule.parse(List.of(expressions), zone);
  }

  @Test
  void nextIsTheEarliestOfAllExpressions() {
    Schedule s = schedule(ZoneOffset.UTC, "@daily", "0 */6 * * *");
    assertEquals(JAN1.withHour(6), s.next(JAN1).orElseThrow());
    assertEquals(JAN1.plusDays(1), s.next(JAN1.withHour(18)).orElseThrow());
  }

  @Test
  void nextRunsListsSharedTimesOnce() {
    Schedule s = schedule(ZoneOffset.UTC, "0 */6 * * *", "@daily");
    assertEquals(List.of(JAN1.withHour(6), JAN1.withHour(12), JAN1.withHour(18), JAN1.plusDays(1), JAN1.plusDays(1).withHour(6)),
        s.nextRuns(JAN1, 5));
    assertEquals(List.of(), s.nextRuns(JAN1, 0));
  }

  @Test
  void missedSinceIsOneAnswerForManyMissedTimes() {
    Schedule s = schedule(ZoneOffset.UTC, "0 * * * *");
    Instant lastRun = JAN1.withHour(1).toInstant();
    assertTrue(s.missedSince(lastRun, JAN1.withHour(7).withMinute(30).toInstant()));
    assertTrue(s.missedSince(lastRun, JAN1.withHour(2).toInstant()), "a time equal to now counts");
    assertFalse(s.missedSince(lastRun, JAN1.withHour(1).withMinute(59).toInstant()));
    assertFalse(s.missedSince(lastRun, lastRun), "the last run itself is not missed");
  }

  @Test
  void millisUntilNextCountsRealTimeAcrossSpringForward() {
    // 01:30 CET on 2026-03-29; the clocks jump 02:00 -> 03:00; the next 04:00 CEST is 1h30m away, not 2h30m
    Schedule s = schedule(BERLIN, "0 4 * * *");
    Instant now = ZonedDateTime.of(2026, 3, 29, 1, 30, 0, 0, BERLIN).toInstant();
    assertEquals(Duration.ofMinutes(90).toMillis(), s.millisUntilNext(Clock.fixed(now, ZoneOffset.UTC)));
  }

  @Test
  void millisUntilNextCountsRealTimeAcrossFallBack() {
    // 01:30 CEST on 2026-10-25; 03:00 CEST -> 02:00 CET; the next 04:00 CET is 3h30m away
    Schedule s = schedule(BERLIN, "0 4 * * *");
    Instant now = ZonedDateTime.of(2026, 10, 25, 1, 30, 0, 0, BERLIN).toInstant();
    assertEquals(Duration.ofMinutes(210).toMillis(), s.millisUntilNext(Clock.fixed(now, BERLIN)));
  }

  @Test
  void millisUntilNextRoundsUpAndIsNeverZero() {
    Schedule s = schedule(ZoneOffset.UTC, "* * * * * *");
    assertEquals(1, s.millisUntilNext(Clock.fixed(JAN1.toInstant().plusNanos(999_999_999), ZoneOffset.UTC)));
    assertEquals(1000, s.millisUntilNext(Clock.fixed(JAN1.toInstant(), ZoneOffset.UTC)));
    assertEquals(2, s.millisUntilNext(Clock.fixed(JAN1.toInstant().plusNanos(998_500_000), ZoneOffset.UTC)));
  }

  @Test
  void aScheduleHasOneZoneAndAtLeastOneExpression() {
    assertThrows(IllegalArgumentException.class, () -> Schedule.of(List.of()));
    assertThrows(IllegalArgumentException.class,
        () -> Schedule.of(CronSchedule.parse("@daily"), CronSchedule.parse("@daily", BERLIN)));
    assertEquals(BERLIN, schedule(BERLIN, "@daily").zone());
    assertEquals(List.of("@daily", "0 3 * * *"), schedule(BERLIN, "@daily", "0 3 * * *").expressions());
  }
}
