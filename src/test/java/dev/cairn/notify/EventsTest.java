package dev.cairn.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.jobs.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What becomes an event, which sinks want it, and how retries wait: the pure parts of notify. */
class EventsTest {
  static final Instant T = Instant.parse("2026-12-02T01:00:00Z");

  @Test
  void failureSelectsEverythingSomeoneMustActOnAndTheirRecoveriesButNotSuccesses() {
    Set<String> failure = Set.of("failure");
    for (Event.Type t : Event.Type.values()) {
      boolean wanted = t.bad() || t == Event.Type.DATABASE_RECOVERED || t == Event.Type.STORAGE_RECOVERED
          || t == Event.Type.TEST;
      assertEquals(wanted, t.selectedBy(failure), t.code());
    }
    assertFalse(Event.Type.BACKUP_STARTED.selectedBy(Set.of("all")), "start pings only on request");
    assertTrue(Event.Type.BACKUP_STARTED.selectedBy(Set.of("started")));
    assertTrue(Event.Type.RETENTION_DELETED.selectedBy(Set.of("all")));
    assertTrue(Event.Type.RESTORE_TEST_PASSED.selectedBy(Set.of("restore_test")));
    assertFalse(Event.Type.RESTORE_TEST_PASSED.selectedBy(Set.of("failure")));
  }

  @Test
  void jobsBecomeEventsOncePerJobAndKind() {
    JobEvents events = new JobEvents(new Links("https://c.example"));
    Job q = Job.queued(Job.Kind.BACKUP, "app", "missed", T);
    assertEquals(List.of(Event.Type.BACKUP_MISSED), events.of(q).stream().map(Event::type).toList());
    Job failed = q.running(T).failed(T.plusSeconds(90), "DB_CONNECT", "cannot connect to app");
    Event e = events.of(failed).get(0);
    assertEquals(Event.Type.BACKUP_FAILED, e.type());
    assertEquals(Duration.ofSeconds(90), e.duration());
    assertEquals(Hints.of("DB_CONNECT"), e.hint());
    assertEquals("https://c.example/#job=" + q.id(), e.link());
    assertEquals(List.of(), events.of(failed), "published again: no second event");
    Job retention = Job.queued(Job.Kind.RETENTION, "app", "schedule", T).running(T).progress(0, 0, 2, 9)
        .succeeded(T.plusSeconds(1));
    assertEquals("2 of 9 backups deleted by the retention policy", events.of(retention).get(0).message());
    Job keptAll = Job.queued(Job.Kind.RETENTION, "app", "schedule", T).running(T).succeeded(T);
    assertEquals(List.of(), events.of(keptAll), "nothing deleted, nothing to say");
    Job verify = Job.queued(Job.Kind.VERIFY, "app", "api", T).running(T).withBackup("app-20261202T010000Z")
        .failed(T.plusSeconds(5), "ARCHIVE_CORRUPT", "backup app-20261202T010000Z: chunk 3 of public.t: crc mismatch");
    Event v = events.of(verify).get(0);
    assertEquals(Event.Type.VERIFY_FAILED, v.type());
    assertEquals("verify of app-20261202T010000Z failed", v.title());
    assertEquals("ARCHIVE_CORRUPT", v.errorCode());
    Job withHint = Job.queued(Job.Kind.BACKUP, "app", "api", T).running(T).failed(T, new dev.cairn.error.CairnException(
        dev.cairn.error.ErrorCode.LOCK_TIMEOUT, "lock timeout on public.t after 10 s", "run it outside the DDL window"));
    assertEquals("run it outside the DDL window", events.of(withHint).get(0).hint(), "the job's own hint first");
    Job cancelled = Job.queued(Job.Kind.BACKUP, "app", "api", T).running(T).cancelled(T, "cancelled by op");
    assertEquals(List.of(Event.Type.BACKUP_STARTED), events.of(cancelled.running(T)).stream().map(Event::type).toList());
    assertEquals(List.of(), events.of(cancelled), "an operator's cancel is no alert");
  }

  @Test
  void retriesBackOffExponentiallyAndARetryAfterWins() {
    Retry r = new Retry(Duration.ofSeconds(2), Duration.ofMinutes(5), 12);
    for (int failed = 1; failed <= 12; failed++) {
      long want = Math.min(2000L << (failed - 1), 300_000L);
      long got = r.delay(failed, null).toMillis();
      assertTrue(got >= want * 0.8 - 1 && got <= want * 1.2 + 1, failed + ": " + got + " vs " + want);
    }
    assertEquals(Duration.ofSeconds(60), r.delay(1, Duration.ofSeconds(60)));
    assertTrue(r.delay(9, Duration.ofSeconds(1)).toSeconds() >= 240, "a short Retry-After does not shorten backoff");
  }

  @Test
  void retryAfterIsSecondsOrAnHttpDateAndIsClamped() {
    assertEquals(Duration.ofSeconds(30), HttpPost.retryAfter("30"));
    assertEquals(HttpPost.MAX_RETRY_AFTER, HttpPost.retryAfter("864000"));
    assertEquals(Duration.ZERO, HttpPost.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT"), "a date in the past");
    assertNull(HttpPost.retryAfter("soon"));
    assertNull(HttpPost.retryAfter(null));
  }

  @Test
  void sentryScrubsConnectionStringsAndPasswords() {
    assertEquals("cannot connect to postgresql://*** (password=***)",
        SentrySink.scrub("cannot connect to postgresql://backup:s3cret@db1/app (password=s3cret)"));
    assertEquals("token=*** dsn=***", SentrySink.scrub("token=abc dsn: https://k@h/1"));
  }

  @Test
  void anEventSurvivesItsJsonWhole() {
    Event full = new Event(Event.newId(), Event.Type.BACKUP_SUCCEEDED, T, "app", "app-20261202T010000Z", "j-1",
        Duration.ofMillis(12_345), 42, null, "ok", null, "https://c.example/");
    Event bare = new Event(Event.newId(), Event.Type.STORAGE_UNREACHABLE, T, null, null, null, null, 0, null, "x",
        null, null);
    assertEquals(full, Event.fromJson(full.toJson()));
    assertEquals(bare, Event.fromJson(bare.toJson()));
    assertTrue(Event.newId().matches("evt_[0-9a-f]{20}"));
  }
}
