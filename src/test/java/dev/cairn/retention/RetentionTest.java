package dev.cairn.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule with fixed dates; the expected lists are "id: reasons" per backup, KEEP or DELETE. */
class RetentionTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final ZoneId KOLKATA = ZoneId.of("Asia/Kolkata");
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  private static BackupInfo good(String id, String recorded) {
    return new BackupInfo(id, "app", Instant.parse(recorded), true);
  }

  private static BackupInfo bad(String id, String recorded) {
    return new BackupInfo(id, "app", Instant.parse(recorded), false);
  }

  private static RetentionPolicy last(int n) {
    return new RetentionPolicy(n, 0, 0, 0, 0);
  }

  private static RetentionPolicy days(int n) {
    return new RetentionPolicy(0, n, 0, 0, 0);
  }

  private static RetentionPolicy daily(int n) {
    return new RetentionPolicy(0, 0, n, 0, 0);
  }

  private static RetentionPolicy weekly(int n) {
    return new RetentionPolicy(0, 0, 0, n, 0);
  }

  private static RetentionPolicy monthly(int n) {
    return new RetentionPolicy(0, 0, 0, 0, n);
  }

  /** "KEEP a: r1; r2" per backup, in input order. */
  private static List<String> run(List<BackupInfo> backups, RetentionPolicy policy, Instant now, ZoneId zone,
      Map<String, String> inUse) {
    List<String> out = new ArrayList<>();
    for (Decision d : Retention.decide(backups, policy, now, zone, inUse)) {
      out.add((d.keep() ? "KEEP " : "DELETE ") + d.id() + ": " + d.because());
    }
    return out;
  }

  private static List<String> run(List<BackupInfo> backups, RetentionPolicy policy, ZoneId zone) {
    return run(backups, policy, NOW, zone, Map.of());
  }

  @Test
  void keepLastKeepsTheNNewestGoodBackupsByRecordedTimeNotByName() {
    // names sort the other way round from the times
    List<BackupInfo> b = List.of(good("a", "2026-11-20T02:00:00Z"), good("b", "2026-11-19T02:00:00Z"),
        good("c", "2026-11-18T02:00:00Z"), good("d", "2026-11-17T02:00:00Z"));
    assertEquals(List.of("KEEP a: newest good backup; one of the last 2", "KEEP b: one of the last 2",
        "DELETE c: no rule keeps it", "DELETE d: no rule keeps it"), run(b, last(2), UTC));
  }

  @Test
  void backupsRecordedAtTheSameInstantAreOrderedByIdWhateverTheInputOrder() {
    List<BackupInfo> b = List.of(good("y", "2026-11-20T02:00:00Z"), good("x", "2026-11-20T02:00:00Z"));
    assertEquals(List.of("DELETE y: no rule keeps it", "KEEP x: newest good backup; one of the last 1"),
        run(b, last(1), UTC));
    assertEquals(List.of("KEEP x: newest good backup; one of the last 1", "DELETE y: no rule keeps it"),
        run(List.of(b.get(1), b.get(0)), last(1), UTC));
  }

  @Test
  void keepDaysIsStrictlyAfterNowMinusDTimes24Hours() {
    List<BackupInfo> b = List.of(good("new", "2026-11-21T11:00:00Z"), good("inside", "2026-11-14T12:00:01Z"),
        good("edge", "2026-11-14T12:00:00Z"), good("old", "2026-11-01T00:00:00Z"));
    assertEquals(List.of("KEEP new: newest good backup; within 7 days", "KEEP inside: within 7 days",
        "DELETE edge: no rule keeps it", "DELETE old: no rule keeps it"), run(b, days(7), UTC));
    assertEquals(List.of("KEEP new: newest good backup; within 1 day", "DELETE inside: no rule keeps it",
        "DELETE edge: no rule keeps it", "DELETE old: no rule keeps it"), run(b, days(1), UTC));
  }

  @Test
  void keepDaysAcrossADstChangeCountsExact24HourDays() {
    // Berlin falls back on 2026-10-25: now is 13:00 CET, the backup 14:00:01 CEST the day before, which
    // is 23 h 59 min 59 s earlier, so within 1 day although the wall clocks differ by more than 23 hours.
    Instant now = Instant.parse("2026-10-25T12:00:00Z");
    List<BackupInfo> b = List.of(good("now", "2026-10-25T11:00:00Z"), good("yday", "2026-10-24T12:00:01Z"),
        good("older", "2026-10-24T11:59:59Z"));
    assertEquals(List.of("KEEP now: newest good backup; within 1 day", "KEEP yday: within 1 day",
        "DELETE older: no rule keeps it"), run(b, days(1), now, BERLIN, Map.of()));
  }

  @Test
  void keepDailyKeepsTheNewestOfEachOfTheLastNDaysThatHaveAGoodBackup() {
    // days without backups do not count (restic's semantics): 2026-11-19 has none
    List<BackupInfo> b = List.of(good("d20-late", "2026-11-20T22:00:00Z"), good("d20-early", "2026-11-20T02:00:00Z"),
        good("d18-late", "2026-11-18T23:59:59Z"), good("d18-early", "2026-11-18T00:00:00Z"),
        good("d17", "2026-11-17T12:00:00Z"), good("d15", "2026-11-15T12:00:00Z"));
    assertEquals(List.of("KEEP d20-late: newest good backup; newest of day 2026-11-20",
        "DELETE d20-early: no rule keeps it", "KEEP d18-late: newest of day 2026-11-18",
        "DELETE d18-early: no rule keeps it", "KEEP d17: newest of day 2026-11-17", "DELETE d15: no rule keeps it"),
        run(b, daily(3), UTC));
  }

  @Test
  void aDayWhoseNewestBackupIsDamagedIsRepresentedByItsNewestGoodOne() {
    List<BackupInfo> b = List.of(bad("broken", "2026-11-20T22:00:00Z"), good("ok", "2026-11-20T02:00:00Z"),
        good("before", "2026-11-19T02:00:00Z"), good("older", "2026-11-18T02:00:00Z"));
    assertEquals(List.of("KEEP broken: not a good backup, kept: no newer good backup",
        "KEEP ok: newest good backup; newest of day 2026-11-20", "KEEP before: newest of day 2026-11-19",
        "DELETE older: no rule keeps it"), run(b, daily(2), UTC));
  }

  @Test
  void justBeforeAndAfterLocalMidnightInKolkataAreDifferentDaysThoughTheSameUtcDay() {
    // Asia/Kolkata is UTC+05:30: 18:29:59Z is 23:59:59 on the 19th, 18:30:00Z is 00:00 on the 20th
    List<BackupInfo> b = List.of(good("after", "2026-11-19T18:30:00Z"), good("before", "2026-11-19T18:29:59Z"),
        good("morning", "2026-11-19T01:00:00Z"));
    assertEquals(List.of("KEEP after: newest good backup; newest of day 2026-11-20",
        "KEEP before: newest of day 2026-11-19", "DELETE morning: no rule keeps it"), run(b, daily(2), KOLKATA));
    assertEquals(List.of("KEEP after: newest good backup; newest of day 2026-11-19",
        "DELETE before: no rule keeps it", "KEEP morning: newest of day 2026-11-18"), run(b, daily(2), NEW_YORK));
    assertEquals(List.of("KEEP after: newest good backup; newest of day 2026-11-19",
        "DELETE before: no rule keeps it", "DELETE morning: no rule keeps it"), run(b, daily(2), UTC));
  }

  @Test
  void justBeforeAndAfterLocalMidnightInNewYork() {
    // EST is UTC-5: 04:59:59Z on the 21st is 23:59:59 on the 20th, 05:00:00Z is midnight of the 21st
    List<BackupInfo> b = List.of(good("after", "2026-11-21T05:00:00Z"), good("before", "2026-11-21T04:59:59Z"),
        good("evening", "2026-11-20T23:00:00Z"));
    assertEquals(List.of("KEEP after: newest good backup; newest of day 2026-11-21",
        "KEEP before: newest of day 2026-11-20", "DELETE evening: no rule keeps it"), run(b, daily(2), NEW_YORK));
    assertEquals(List.of("KEEP after: newest good backup; newest of day 2026-11-21",
        "DELETE before: no rule keeps it", "KEEP evening: newest of day 2026-11-20"), run(b, daily(2), UTC));
  }

  @Test
  void theLongDayOfAFallBackDstChangeIsOneDay() {
    // New York falls back on 2026-11-01: that day lasts 25 hours, from 04:00Z to 05:00Z the next day.
    // 04:30Z on the 2nd is 23:30 EST on the 1st; a fixed UTC-4 offset would call it the 2nd.
    List<BackupInfo> b = List.of(good("nov2", "2026-11-02T05:30:00Z"), good("nov1-late", "2026-11-02T04:30:00Z"),
        good("nov1-early", "2026-11-01T04:30:00Z"), good("oct31", "2026-11-01T03:30:00Z"));
    assertEquals(List.of("KEEP nov2: newest good backup; newest of day 2026-11-02",
        "KEEP nov1-late: newest of day 2026-11-01", "DELETE nov1-early: no rule keeps it",
        "KEEP oct31: newest of day 2026-10-31"), run(b, daily(3), NOW, NEW_YORK, Map.of()));
  }

  @Test
  void theRepeatedHourOfAFallBackInBerlinIsTheSameDay() {
    // 2026-10-25: 02:30 CEST (00:30Z) and, an hour later, 02:30 CET (01:30Z) again
    List<BackupInfo> b = List.of(good("second-0230", "2026-10-25T01:30:00Z"), good("first-0230", "2026-10-25T00:30:00Z"),
        good("saturday", "2026-10-24T21:59:59Z"));
    assertEquals(List.of("KEEP second-0230: newest good backup; newest of day 2026-10-25",
        "DELETE first-0230: no rule keeps it", "KEEP saturday: newest of day 2026-10-24"), run(b, daily(2), BERLIN));
  }

  @Test
  void theShortDayOfASpringForwardDstChangeEndsAtLocalMidnight() {
    // Berlin springs forward on 2026-03-29 (23 hours): 22:30Z on the 29th is 00:30 CEST on the 30th
    List<BackupInfo> b = List.of(good("mar30", "2026-03-29T22:30:00Z"), good("mar29", "2026-03-29T21:30:00Z"),
        good("mar29-first", "2026-03-28T23:00:00Z"), good("mar28", "2026-03-28T22:59:59Z"));
    assertEquals(List.of("KEEP mar30: newest good backup; newest of day 2026-03-30",
        "KEEP mar29: newest of day 2026-03-29", "DELETE mar29-first: no rule keeps it",
        "KEEP mar28: newest of day 2026-03-28"), run(b, daily(3), NOW, BERLIN, Map.of()));
  }

  @Test
  void anIsoWeekSpanningTheYearBoundaryIsOneWeekOfItsWeekBasedYear() {
    // 2026 has 53 ISO weeks: Mon 2026-12-28 .. Sun 2027-01-03 is 2026-W53; Mon 2027-01-04 starts 2027-W01
    Instant now = Instant.parse("2027-01-10T12:00:00Z");
    List<BackupInfo> b = List.of(good("jan4", "2027-01-04T02:00:00Z"), good("jan3", "2027-01-03T02:00:00Z"),
        good("jan1", "2027-01-01T02:00:00Z"), good("dec28", "2026-12-28T02:00:00Z"),
        good("dec27", "2026-12-27T02:00:00Z"), good("dec20", "2026-12-20T02:00:00Z"));
    assertEquals(List.of("KEEP jan4: newest good backup; newest of week 2027-W01",
        "KEEP jan3: newest of week 2026-W53", "DELETE jan1: no rule keeps it", "DELETE dec28: no rule keeps it",
        "KEEP dec27: newest of week 2026-W52", "DELETE dec20: no rule keeps it"), run(b, weekly(3), now, UTC, Map.of()));
  }

  @Test
  void aDecemberDayCanBelongToWeekOneOfTheNextYear() {
    // Mon 2024-12-30 is 2025-W01
    Instant now = Instant.parse("2025-01-10T00:00:00Z");
    List<BackupInfo> b = List.of(good("jan1", "2025-01-01T02:00:00Z"), good("dec30", "2024-12-30T02:00:00Z"),
        good("dec29", "2024-12-29T02:00:00Z"));
    assertEquals(List.of("KEEP jan1: newest good backup; newest of week 2025-W01", "DELETE dec30: no rule keeps it",
        "KEEP dec29: newest of week 2024-W52"), run(b, weekly(5), now, UTC, Map.of()));
  }

  @Test
  void isoWeeksStartOnMondayInTheZone() {
    // Sun 2026-11-22 23:30 in Berlin is 22:30Z; Mon 00:30 in Berlin is Sun 23:30Z
    Instant now = Instant.parse("2026-11-25T00:00:00Z");
    List<BackupInfo> b = List.of(good("mon", "2026-11-22T23:30:00Z"), good("sun", "2026-11-22T22:30:00Z"));
    assertEquals(List.of("KEEP mon: newest good backup; newest of week 2026-W48", "KEEP sun: newest of week 2026-W47"),
        run(b, weekly(2), now, BERLIN, Map.of()));
    assertEquals(List.of("KEEP mon: newest good backup; newest of week 2026-W47", "DELETE sun: no rule keeps it"),
        run(b, weekly(2), now, UTC, Map.of()));
  }

  @Test
  void keepMonthlyUsesCalendarMonthsInTheZone() {
    // 23:30Z on Nov 30 is already December in Berlin
    Instant now = Instant.parse("2026-12-15T00:00:00Z");
    List<BackupInfo> b = List.of(good("dec", "2026-11-30T23:30:00Z"), good("nov", "2026-11-30T22:30:00Z"),
        good("nov-early", "2026-11-01T02:00:00Z"), good("sep", "2026-09-10T02:00:00Z"),
        good("aug", "2026-08-10T02:00:00Z"));
    // October has no backup and does not count
    assertEquals(List.of("KEEP dec: newest good backup; newest of month 2026-12", "KEEP nov: newest of month 2026-11",
        "DELETE nov-early: no rule keeps it", "KEEP sep: newest of month 2026-09", "DELETE aug: no rule keeps it"),
        run(b, monthly(3), now, BERLIN, Map.of()));
    assertEquals(List.of("KEEP dec: newest good backup; newest of month 2026-11", "DELETE nov: no rule keeps it",
        "DELETE nov-early: no rule keeps it", "KEEP sep: newest of month 2026-09", "KEEP aug: newest of month 2026-08"),
        run(b, monthly(3), now, UTC, Map.of()));
  }

  @Test
  void aBackupKeptBySeveralRulesListsEveryReason() {
    RetentionPolicy p = new RetentionPolicy(2, 3, 2, 2, 2);
    List<BackupInfo> b = List.of(good("a", "2026-11-21T02:00:00Z"), good("b", "2026-11-20T02:00:00Z"),
        good("c", "2026-11-10T02:00:00Z"), good("d", "2026-10-10T02:00:00Z"), good("e", "2026-10-01T02:00:00Z"));
    assertEquals(List.of(
        "KEEP a: newest good backup; one of the last 2; within 3 days; newest of day 2026-11-21; "
            + "newest of week 2026-W47; newest of month 2026-11",
        "KEEP b: one of the last 2; within 3 days; newest of day 2026-11-20",
        "KEEP c: newest of week 2026-W46",
        "KEEP d: newest of month 2026-10",
        "DELETE e: no rule keeps it"), run(b, p, UTC));
  }

  @Test
  void theNewestGoodBackupIsKeptEvenWhenNoRuleReachesIt() {
    List<BackupInfo> b = List.of(good("old", "2026-01-01T00:00:00Z"), good("older", "2025-12-01T00:00:00Z"));
    assertEquals(List.of("KEEP old: newest good backup", "DELETE older: no rule keeps it"), run(b, days(7), UTC));
  }

  @Test
  void backupsInUseAreKeptWithTheJobThatUsesThem() {
    List<BackupInfo> b = List.of(good("new", "2026-11-21T02:00:00Z"), good("mid", "2026-11-01T02:00:00Z"),
        bad("broken", "2026-10-01T02:00:00Z"), good("old", "2026-09-01T02:00:00Z"));
    assertEquals(List.of("KEEP new: newest good backup; one of the last 1; in use by job j-1",
        "DELETE mid: no rule keeps it", "KEEP broken: in use by job j-7", "KEEP old: in use by job j-42"),
        run(b, last(1), NOW, UTC, Map.of("old", "j-42", "new", "j-1", "broken", "j-7", "absent", "j-9")));
  }

  @Test
  void aBackupThatIsNotGoodGoesOnlyWhenAGoodOneWasRecordedAfterIt() {
    List<BackupInfo> b = List.of(bad("newest-broken", "2026-11-21T03:00:00Z"), good("good", "2026-11-21T02:00:00Z"),
        bad("same-time-broken", "2026-11-21T02:00:00Z"), bad("old-broken", "2026-11-20T02:00:00Z"));
    assertEquals(List.of("KEEP newest-broken: not a good backup, kept: no newer good backup",
        "KEEP good: newest good backup; one of the last 5",
        "KEEP same-time-broken: not a good backup, kept: no newer good backup",
        "DELETE old-broken: not a good backup"), run(b, last(5), UTC));
  }

  @Test
  void withNoGoodBackupNothingIsDeleted() {
    List<BackupInfo> b = List.of(bad("x", "2026-11-21T03:00:00Z"), bad("y", "2025-11-21T03:00:00Z"));
    assertEquals(List.of("KEEP x: not a good backup, kept: no newer good backup",
        "KEEP y: not a good backup, kept: no newer good backup"), run(b, last(1), UTC));
  }

  @Test
  void backupsRecordedAfterNowAreKeptAndTakeNoSlotFromTheOthers() {
    List<BackupInfo> b = List.of(good("future", "2026-11-22T12:00:00Z"), good("a", "2026-11-21T02:00:00Z"),
        good("b", "2026-11-20T02:00:00Z"), bad("broken-future", "2026-11-23T00:00:00Z"));
    assertEquals(List.of("KEEP future: newest good backup; recorded after now: clock skew?",
        "KEEP a: one of the last 1; newest of day 2026-11-21", "DELETE b: no rule keeps it",
        "KEEP broken-future: not a good backup, kept: no newer good backup; recorded after now: clock skew?"),
        run(b, new RetentionPolicy(1, 0, 1, 0, 0), UTC));
  }

  @Test
  void aPolicyWithEveryRuleOffKeepsEverything() {
    List<BackupInfo> b = List.of(good("a", "2026-11-21T02:00:00Z"), good("b", "2020-01-01T02:00:00Z"),
        bad("c", "2019-01-01T02:00:00Z"));
    assertEquals(List.of("KEEP a: newest good backup", "KEEP b: no keep rule set: everything is kept",
        "KEEP c: no keep rule set: everything is kept"), run(b, RetentionPolicy.KEEP_EVERYTHING, UTC));
  }

  @Test
  void noBackupsNoDecisions() {
    assertEquals(List.of(), Retention.decide(List.of(), last(3), NOW, UTC, Map.of()));
  }

  @Test
  void backupsOfTwoDatabasesOrTheSameIdTwiceAreRefused() {
    Map<String, String> none = new LinkedHashMap<>();
    CairnException mixed = assertThrows(CairnException.class, () -> Retention.decide(List.of(
        good("a", "2026-11-21T02:00:00Z"), new BackupInfo("b", "shop", NOW, true)), last(1), NOW, UTC, none));
    assertTrue(mixed.getMessage().contains("app") && mixed.getMessage().contains("shop"), mixed.getMessage());
    CairnException twice = assertThrows(CairnException.class, () -> Retention.decide(List.of(
        good("a", "2026-11-21T02:00:00Z"), good("a", "2026-11-20T02:00:00Z")), last(1), NOW, UTC, none));
    assertTrue(twice.getMessage().contains("backup a twice"), twice.getMessage());
    // an unknown database (a damaged archive) goes with any
    assertEquals(2, Retention.decide(List.of(good("a", "2026-11-21T02:00:00Z"),
        new BackupInfo("b", null, NOW, false)), last(1), NOW, UTC, none).size());
  }
}
