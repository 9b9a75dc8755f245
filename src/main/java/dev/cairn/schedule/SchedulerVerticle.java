package dev.cairn.schedule;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.jobs.Job;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

import java.util.logging.Logger;

/**
 * Fires backups on each database's cron schedule with Vert.x timers (cron-utils computes the times).
 * At start, a database whose schedule passed a run time since its last good backup gets one backup
 * now ("missed"), never one per missed tick. Also fires each database's verify and restore-test
 * schedules (of its newest good backup) and retention on its own schedule when configured, and answers
 * {@link Addresses#SCHEDULES_QUERY} with the next runs of every database's schedules, per kind.
 */
public final class SchedulerVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.schedule");

  /**
   * {@code lastGood}: finish time of the database's newest good backup, or null when it has none;
   * {@code verifySchedule}, {@code testSchedule}: null when the database has none.
   */
  public record Entry(String database, Schedule schedule, Instant lastGood, Schedule verifySchedule,
      Schedule testSchedule) {
    public Entry(String database, Schedule schedule, Instant lastGood) {
      this(database, schedule, lastGood, null, null);
    }
  }

  private final List<Entry> entries;
  private final Schedule retention;
  private final boolean runMissed;
  private final Clock clock;
  private final List<Long> timers = new ArrayList<>();

  public SchedulerVerticle(List<Entry> entries, Schedule retention, boolean runMissed, Clock clock) {
    this.entries = List.copyOf(entries);
    this.retention = retention;
    this.runMissed = runMissed;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    Instant now = clock.instant();
    for (Entry e : entries) {
      if (runMissed && (e.lastGood() == null || e.schedule().missedSince(e.lastGood(), now))) {
        LOG.info(() -> e.database() + ": " + (e.lastGood() == null ? "no good backup yet"
            : "a scheduled run was missed since the last good backup (" + e.lastGood() + ")") + "; backing up now");
        request(e.database(), "missed");
      }
      arm(e.schedule(), () -> request(e.database(), "schedule"), e.database());
      if (e.verifySchedule() != null) {
        arm(e.verifySchedule(), () -> vertx.eventBus().send(Addresses.VERIFY_LATEST,
            new Messages.VerifyLatest(e.database(), "schedule")), e.database() + " verify");
      }
      if (e.testSchedule() != null) {
        arm(e.testSchedule(), () -> vertx.eventBus().send(Addresses.RESTORE_TEST_LATEST,
            new Messages.RestoreTestLatest(e.database(), "schedule")), e.database() + " restore test");
      }
    }
    if (retention != null) {
      arm(retention, () -> vertx.eventBus().send(Addresses.RETENTION_RUN,
          new Messages.RetentionRequest(null, false, "schedule")), "retention");
    }
    vertx.eventBus().<Messages.ScheduleQuery>consumer(Addresses.SCHEDULES_QUERY, m -> m.reply(schedules()));
    return Future.succeededFuture();
  }

  /**
   * Arms a timer for the next run after {@code after} (initially now). The next one is computed from
   * the run just fired, not from the clock, so a timer firing a few ms early cannot fire twice.
   */
  private void arm(Schedule s, Runnable fire, String what) {
    armAfter(s, fire, what, ZonedDateTime.now(clock.withZone(s.zone())));
  }

  private void armAfter(Schedule s, Runnable fire, String what, ZonedDateTime after) {
    s.next(after).ifPresentOrElse(next -> {
      long delay = Math.max(1, Duration.between(clock.instant(), next.toInstant()).toMillis());
      timers.add(vertx.setTimer(delay, id -> {
        timers.remove(id);
        fire.run();
        armAfter(s, fire, what, next);
      }));
    }, () -> LOG.warning(() -> what + ": the schedule has no future run time"));
  }

  private void request(String db, String trigger) {
    vertx.eventBus().<Messages.JobAccepted>request(Addresses.BACKUP_REQUEST, new Messages.BackupRequest(db, trigger))
        .onSuccess(m -> {
          if (!"started".equals(m.body().note())) {
            LOG.info(() -> "[" + m.body().job().id() + "] " + trigger + " backup of " + db + ": " + m.body().note());
          }
        })
        .onFailure(e -> LOG.warning(() -> trigger + " backup of " + db + " not started: " + e.getMessage()));
  }

  private Messages.ScheduleList schedules() {
    List<Messages.ScheduleInfo> out = new ArrayList<>();
    ZonedDateTime now = ZonedDateTime.now(clock);
    for (Entry e : entries) {
      out.add(info(e.database(), Job.Kind.BACKUP, e.schedule(), now));
      if (e.verifySchedule() != null) {
        out.add(info(e.database(), Job.Kind.VERIFY, e.verifySchedule(), now));
      }
      if (e.testSchedule() != null) {
        out.add(info(e.database(), Job.Kind.TEST, e.testSchedule(), now));
      }
    }
    return new Messages.ScheduleList(out);
  }

  private static Messages.ScheduleInfo info(String db, Job.Kind kind, Schedule s, ZonedDateTime now) {
    return new Messages.ScheduleInfo(db, kind, s.expressions(), s.zone().getId(),
        s.nextRuns(now.withZoneSameInstant(s.zone()), Schedule.LISTED_RUNS));
  }

  @Override
  public Future<?> stop() {
    timers.forEach(vertx::cancelTimer);
    return Future.succeededFuture();
  }

}
