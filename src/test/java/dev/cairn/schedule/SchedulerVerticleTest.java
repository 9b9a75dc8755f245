package dev.cairn.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Bus;
import dev.cairn.bus.Messages;
import dev.cairn.jobs.Job;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler against the real event bus and Vert.x timers, with a clock the test chooses. */
class SchedulerVerticleTest {
  private Vertx vertx;
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void bus() {
    vertx = Vertx.vertx();
    Bus.register(vertx);
    vertx.eventBus().<Messages.BackupRequest>consumer(Addresses.BACKUP_REQUEST, m -> {
      requests.add(m.body().database() + ":" + m.body().trigger());
      m.reply(new Messages.JobAccepted(Job.queued(Job.Kind.BACKUP, m.body().database(), m.body().trigger(),
          Instant.now()), "started"));
    });
  }

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void deploy(Clock clock, boolean runMissed, SchedulerVerticle.Entry... entries) throws Exception {
    vertx.deployVerticle(new SchedulerVerticle(List.of(entries), null, runMissed, clock)).await(10, TimeUnit.SECONDS);
  }

  private void waitFor(int n, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (requests.size() < n && System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Test
  void dailyScheduleFiresAtItsTimeOnAnInjectedClock() throws Exception {
    // "Now" is 01:59:59.3 UTC: the 02:00 backup is due in 0.7 s of real time.
    Instant fake = Instant.parse("2026-11-21T01:59:59.300Z");
    Clock clock = Clock.offset(Clock.systemUTC(), Duration.between(Instant.now(), fake));
    deploy(clock, true, new SchedulerVerticle.Entry("app", Schedule.parse(List.of("0 2 * * *"), ZoneOffset.UTC),
        Instant.parse("2026-11-20T02:00:05Z")));
    waitFor(1, Duration.ofSeconds(5));
    assertEquals(List.of("app:schedule"), requests);
  }

  @Test
  void secondsScheduleFiresEverySecondAndNeverTwiceForOneTick() throws Exception {
    deploy(Clock.systemUTC(), false, new SchedulerVerticle.Entry("app",
        Schedule.parse(List.of("* * * * * *"), ZoneOffset.UTC), Instant.now()));
    TimeUnit.MILLISECONDS.sleep(3500);
    int n = requests.size();
    assertTrue(n >= 3 && n <= 4, "3.5 s of an every-second schedule fired " + n + " times");
  }

  @Test
  void missedRunSinceTheLastGoodBackupIsTakenOnceAtStart() throws Exception {
    Instant now = Instant.now();
    deploy(Clock.systemUTC(), true,
        new SchedulerVerticle.Entry("stale", Schedule.parse(List.of("@hourly"), ZoneOffset.UTC),
            now.minus(Duration.ofHours(5))),
        new SchedulerVerticle.Entry("fresh", Schedule.parse(List.of("@yearly"), ZoneOffset.UTC), now),
        new SchedulerVerticle.Entry("never", Schedule.parse(List.of("@yearly"), ZoneOffset.UTC), null));
    waitFor(2, Duration.ofSeconds(5));
    TimeUnit.MILLISECONDS.sleep(300);
    assertEquals(List.of("never:missed", "stale:missed"), requests.stream().sorted().toList(),
        "five missed hourly runs give one backup, not five; a fresh database gets none");
  }

  @Test
  void aRestoreTestScheduleAsksForATestOfTheNewestBackupAndIsListedWithItsKind() throws Exception {
    List<String> tests = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Messages.RestoreTestLatest>consumer(Addresses.RESTORE_TEST_LATEST,
        m -> tests.add(m.body().database() + ":" + m.body().trigger()));
    deploy(Clock.systemUTC(), false, new SchedulerVerticle.Entry("app", Schedule.parse(List.of("@yearly"),
        ZoneOffset.UTC), Instant.now(), null, Schedule.parse(List.of("* * * * * *"), ZoneOffset.UTC)));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (tests.isEmpty() && System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    assertEquals("app:schedule", tests.isEmpty() ? "none in 5 s" : tests.get(0));
    assertEquals(List.of(), requests, "a restore-test tick starts no backup");
    List<Messages.ScheduleInfo> listed = vertx.eventBus().<Messages.ScheduleList>request(Addresses.SCHEDULES_QUERY,
        new Messages.ScheduleQuery()).await(10, TimeUnit.SECONDS).body().schedules();
    assertEquals(List.of(Job.Kind.BACKUP, Job.Kind.TEST), listed.stream().map(Messages.ScheduleInfo::kind).toList());
    assertEquals(List.of("* * * * * *"), listed.get(1).expressions());
    assertEquals(5, listed.get(1).nextRuns().size());
  }

  @Test
  void missedRunsAreNotTakenWhenTurnedOff() throws Exception {
    deploy(Clock.systemUTC(), false, new SchedulerVerticle.Entry("stale",
        Schedule.parse(List.of("@hourly"), ZoneOffset.UTC), Instant.now().minus(Duration.ofHours(5))));
    TimeUnit.MILLISECONDS.sleep(500);
    assertEquals(List.of(), requests);
  }
}
