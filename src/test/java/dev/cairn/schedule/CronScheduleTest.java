package dev.cairn.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronScheduleTest {
  private static final ZonedDateTime JAN1 = ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  private static String error(String expression) {
    CairnException e = assertThrows(CairnException.class, () -> CronSchedule.parse(expression));
    assertEquals(ErrorCode.CONFIG, e.code());
    return e.getMessage();
  }

  private static List<String> runs(String expression, ZoneId zone, ZonedDateTime after, int n) {
    CronSchedule c = CronSchedule.parse(expression, zone);
    List<String> out = new ArrayList<>();
    ZonedDateTime t = after;
    for (int i = 0; i < n; i++) {
      t = c.next(t).orElseThrow();
      out.add(t.toOffsetDateTime().toString());
    }
    return out;
  }

  // --- errors, one per kind ---

  @Test
  void outOfRangePerField() {
    assertEquals("\"61 * * * *\": minute 61 is out of range 0-59", error("61 * * * *"));
    assertEquals("\"0 25 * * *\": hour 25 is out of range 0-23", error("0 25 * * *"));
    assertEquals("\"0 0 0 * *\": day-of-month 0 is out of range 1-31", error("0 0 0 * *"));
    assertEquals("\"0 0 32 * *\": day-of-month 32 is out of range 1-31", error("0 0 32 * *"));
    assertEquals("\"0 0 * 13 *\": month 13 is out of range 1-12", error("0 0 * 13 *"));
    assertEquals("\"0 0 * * 8\": day-of-week 8 is out of range 0-7", error("0 0 * * 8"));
    assertEquals("\"60 * * * * *\": second 60 is out of range 0-59", error("60 * * * * *"));
    assertEquals("\"0 0 1-40 * *\": day-of-month 40 is out of range 1-31", error("0 0 1-40 * *"));
  }

  @Test
  void badStep() {
    assertEquals("\"*/0 * * * *\": minute step 0 is out of range 1-59", error("*/0 * * * *"));
    assertEquals("\"0 */24 * * *\": hour step 24 is out of range 1-23", error("0 */24 * * *"));
    assertEquals("\"*/x * * * *\": minute step \"x\" is not a number", error("*/x * * * *"));
    assertEquals("\"*/5/3 * * * *\": minute \"*/5/3\" has more than one step", error("*/5/3 * * * *"));
  }

  @Test
  void unknownName() {
    assertEquals("\"0 0 * foo *\": month \"foo\" is not a number or a month name (jan-dec)", error("0 0 * foo *"));
    assertEquals("\"0 0 * * fun\": day-of-week \"fun\" is not a number or a day name (sun-sat)", error("0 0 * * fun"));
    assertEquals("\"mon 0 * * *\": minute \"mon\" is not a number", error("mon 0 * * *"));
    assertEquals("\"0 0 L * *\": day-of-month \"L\" is not a number", error("0 0 L * *"));
  }

  @Test
  void unknownMacro() {
    assertEquals("\"@often\": is not a known macro (@hourly, @daily, @weekly, @monthly, @yearly)", error("@often"));
    assertEquals("\"@reboot\": is not a known macro (@hourly, @daily, @weekly, @monthly, @yearly)", error("@reboot"));
  }

  @Test
  void wrongFieldCount() {
    assertEquals("\"* * *\": expected 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, "
        + "or a macro such as @daily; found 3", error("* * *"));
    assertEquals("\"0 0 1 1 * 2026 x\": expected 5 fields (minute hour day-of-month month day-of-week), "
        + "6 with seconds first, or a macro such as @daily; found 7", error("0 0 1 1 * 2026 x"));
  }

  @Test
  void empty() {
    String expected = "\"\": expected 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, "
        + "or a macro such as @daily; found nothing";
    assertEquals(expected, error(""));
    assertEquals(expected, error("   "));
    assertEquals(expected, error(null));
  }

  @Test
  void malformedListsAndRanges() {
    assertEquals("\"1,,3 * * * *\": minute \"1,,3\" has an empty list entry", error("1,,3 * * * *"));
    assertEquals("\"-1 * * * *\": minute \"-1\" is not a number, a range (1-5) or a step (*/15)", error("-1 * * * *"));
    assertEquals("\"1-2-3 * * * *\": minute \"1-2-3\" is not a number, a range (1-5) or a step (*/15)",
        error("1-2-3 * * * *"));
    assertEquals("\"50-10 * * * *\": minute range 50-10 is backwards; write 50-59,0-10 to wrap around",
        error("50-10 * * * *"));
  }

  @Test
  void neverFiring() {
    assertEquals("\"0 0 30 2 *\": never fires: no date has day-of-month 30 and month 2", error("0 0 30 2 *"));
    assertEquals("\"0 0 31 apr,jun *\": never fires: no date has day-of-month 31 and month apr,jun",
        error("0 0 31 apr,jun *"));
  }

  // --- meaning ---

  @Test
  void fiveFields() {
    assertEquals(List.of("2026-01-01T02:00Z", "2026-01-02T02:00Z"), runs("0 2 * * *", ZoneOffset.UTC, JAN1, 2));
    assertEquals(List.of("2026-01-01T00:15Z", "2026-01-01T00:30Z"), runs("*/15 * * * *", ZoneOffset.UTC, JAN1, 2));
  }

  @Test
  void sixFieldsHaveSecondsFirst() {
    assertEquals(List.of("2026-01-01T00:00:10Z", "2026-01-01T00:00:20Z"), runs("*/10 * * * * *", ZoneOffset.UTC, JAN1, 2));
    assertTrue(CronSchedule.parse("*/10 * * * * *").hasSeconds());
    assertFalse(CronSchedule.parse("0 2 * * *").hasSeconds());
  }

  @Test
  void macros() {
    assertEquals(List.of("2026-01-01T01:00Z"), runs("@hourly", ZoneOffset.UTC, JAN1, 1));
    assertEquals(List.of("2026-01-02T00:00Z"), runs("@daily", ZoneOffset.UTC, JAN1, 1));
    assertEquals(List.of("2026-01-02T00:00Z"), runs("@midnight", ZoneOffset.UTC, JAN1, 1));
    assertEquals(List.of("2026-01-04T00:00Z"), runs("@weekly", ZoneOffset.UTC, JAN1, 1)); // a sunday
    assertEquals(List.of("2026-02-01T00:00Z"), runs("@monthly", ZoneOffset.UTC, JAN1, 1));
    assertEquals(List.of("2027-01-01T00:00Z"), runs("@yearly", ZoneOffset.UTC, JAN1, 1));
    assertEquals(List.of("2027-01-01T00:00Z"), runs("@annually", ZoneOffset.UTC, JAN1, 1));
    assertEquals("@daily", CronSchedule.parse(" @daily ").expression());
  }

  @Test
  void namesRangesAndSundayAsSeven() {
    // 2026-01-02 is a friday
    assertEquals(List.of("2026-01-02T00:00Z", "2026-01-05T00:00Z"), runs("0 0 * * mon-fri", ZoneOffset.UTC, JAN1, 2));
    assertEquals(List.of("2026-01-02T00:00Z", "2026-01-03T00:00Z", "2026-01-04T00:00Z", "2026-01-09T00:00Z"),
        runs("0 0 * * 5-7", ZoneOffset.UTC, JAN1, 4));
    assertEquals(List.of("2026-01-02T00:00Z", "2026-01-03T00:00Z", "2026-01-04T00:00Z", "2026-01-09T00:00Z"),
        runs("0 0 * * FRI-SUN", ZoneOffset.UTC, JAN1, 4));
    assertEquals(List.of("2026-03-01T00:00Z"), runs("0 0 1 MAR *", ZoneOffset.UTC, JAN1, 1));
    assertEquals(List.of("2026-01-01T00:05Z", "2026-01-01T00:25Z"), runs("5/20 * * * *", ZoneOffset.UTC, JAN1, 2));
  }

  @Test
  void dayOfMonthOrDayOfWeekAsInCron() {
    // both restricted: either matches (friday the 2nd, 9th..., and the 13th, a tuesday)
    assertEquals(List.of("2026-01-02T00:00Z", "2026-01-09T00:00Z", "2026-01-13T00:00Z"),
        runs("0 0 13 * 5", ZoneOffset.UTC, JAN1, 3));
    // a field starting with * is not restricted: both must match (odd days that are mondays)
    assertEquals(List.of("2026-01-05T00:00Z", "2026-01-19T00:00Z", "2026-02-09T00:00Z"),
        runs("0 0 */2 * 1", ZoneOffset.UTC, JAN1, 3));
    // a restricted field that matches every day makes every day match
    assertEquals(List.of("2026-01-01T00:00Z", "2026-01-02T00:00Z"), runs("0 0 13 * 0-6", ZoneOffset.UTC, JAN1.minusSeconds(1), 2));
  }

  @Test
  void nextIsStrictlyAfterAndPreviousIsAtOrBefore() {
    CronSchedule c = CronSchedule.parse("0 2 * * *");
    ZonedDateTime two = JAN1.withHour(2);
    assertEquals(two.plusDays(1), c.next(two).orElseThrow());
    assertEquals(two, c.previous(two).orElseThrow());
    assertEquals(two, c.next(two.minusNanos(1)).orElseThrow());
    assertEquals(two.minusDays(1), c.previous(two.minusNanos(1)).orElseThrow());
    assertEquals(two, c.previous(two.plusNanos(500)).orElseThrow());
  }

  @Test
  void resultsAreInTheSchedulesZone() {
    CronSchedule c = CronSchedule.parse("0 2 * * *", BERLIN);
    ZonedDateTime n = c.next(JAN1).orElseThrow();
    assertEquals(BERLIN, n.getZone());
    assertEquals("2026-01-01T02:00+01:00", n.toOffsetDateTime().toString());
  }

  @Test
  void springForwardRunsTheSkippedTimeWhenTheGapEnds() {
    // 2026-03-29 02:00 CET -> 03:00 CEST in Europe/Berlin: 02:30 does not exist that day
    ZonedDateTime before = ZonedDateTime.of(2026, 3, 28, 12, 0, 0, 0, BERLIN);
    assertEquals(List.of("2026-03-28T02:30+01:00", "2026-03-29T03:00+02:00", "2026-03-30T02:30+02:00"),
        runs("30 2 * * *", BERLIN, before.minusDays(1), 3));
    assertEquals(List.of("2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00"),
        runs("0 * * * *", BERLIN, ZonedDateTime.of(2026, 3, 29, 0, 30, 0, 0, BERLIN), 3));
    CronSchedule c = CronSchedule.parse("30 2 * * *", BERLIN);
    assertEquals("2026-03-29T03:00+02:00",
        c.previous(ZonedDateTime.of(2026, 3, 29, 5, 0, 0, 0, BERLIN)).orElseThrow().toOffsetDateTime().toString());
  }

  @Test
  void fallBackRunsARepeatedTimeOnce() {
    // 2026-10-25 03:00 CEST -> 02:00 CET: 02:00-02:59 happens twice
    ZonedDateTime midnight = ZonedDateTime.of(2026, 10, 25, 0, 0, 0, 0, BERLIN);
    assertEquals(List.of("2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00"), runs("30 2 * * *", BERLIN, midnight, 2));
    assertEquals(List.of("2026-10-25T01:00+02:00", "2026-10-25T02:00+02:00", "2026-10-25T03:00+01:00"),
        runs("0 * * * *", BERLIN, midnight, 3));
    CronSchedule c = CronSchedule.parse("30 2 * * *", BERLIN);
    // during the second 02:xx hour, the last run is the first 02:30 and the next is tomorrow's
    ZonedDateTime second = ZonedDateTime.ofStrict(java.time.LocalDateTime.of(2026, 10, 25, 2, 45),
        ZoneOffset.ofHours(1), BERLIN);
    assertEquals("2026-10-25T02:30+02:00", c.previous(second).orElseThrow().toOffsetDateTime().toString());
    assertEquals("2026-10-26T02:30+01:00", c.next(second).orElseThrow().toOffsetDateTime().toString());
    ZonedDateTime secondEarly = second.withMinute(10);
    assertEquals("2026-10-26T02:30+01:00", c.next(secondEarly).orElseThrow().toOffsetDateTime().toString());
  }

  @Test
  void equalityIsExpressionAndZone() {
    assertEquals(CronSchedule.parse("0 2 * * *"), CronSchedule.parse("0 2 * * *", ZoneOffset.UTC));
    assertFalse(CronSchedule.parse("0 2 * * *").equals(CronSchedule.parse("0 2 * * *", BERLIN)));
  }
}
