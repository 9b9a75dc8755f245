package dev.cairn.restoretest;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.RestoreTestConfig;
import dev.cairn.copy.Placement;
import dev.cairn.engine.Pools;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.ProgressThrottle;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs restore tests as jobs (kind test, with the backup id: retention and delete leave the backup alone while
 * it runs): on request ({@link Addresses#RESTORE_TEST_REQUEST}: API), after each published backup of a database
 * with {@code after_backup}, and on each database's {@code restore_test.schedule} (the newest good backup). One
 * test per database at a time: another request meanwhile is refused (409); 404 for a database without
 * {@code restore_test}. A finished test is recorded (the backup's verified state, the restore-test log), its job
 * ends (failed with the test's error code when it did not pass), and {@link Messages.RestoreTestFinished} is
 * published. Cancelled through {@link Addresses#RESTORE_TEST_CANCEL}; on undeploy, running tests are cancelled.
 * A backup is read, and its verified state recorded, in the first repository of its database's list that holds
 * it ({@link Placement#holder}); the database's restore-test log is kept in its first repository.
 */
public final class RestoreTestVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.restoretest");

  /** A database with restore tests, and the number of parallel streams its restores use. */
  public record Target(String name, RestoreTestConfig config, int jobs) {}

  private static final class Running {
    final RestoreTester tester;
    final ProgressThrottle throttle = new ProgressThrottle(ProgressThrottle.DEFAULT_INTERVAL);
    Job job;
    boolean cancelRequested;
    Repository read;

    Running(Job job, RestoreTester tester) {
      this.job = job;
      this.tester = tester;
    }
  }

  private final Map<String, Target> targets = new HashMap<>();
  private final Placement placement;
  private final Pools pools;
  private final Clock clock;
  private final Path pgBin;
  private final Map<String, Running> running = new HashMap<>();

  public RestoreTestVerticle(List<Target> targets, Repository repo, Pools pools, Clock clock, Path pgBin) {
    this(targets, Placement.single(repo), pools, clock, pgBin);
  }

  public RestoreTestVerticle(List<Target> targets, Placement placement, Pools pools, Clock clock, Path pgBin) {
    targets.forEach(t -> this.targets.put(t.name(), t));
    this.placement = placement;
    this.pools = pools;
    this.clock = clock;
    this.pgBin = pgBin;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.RestoreTestRequest>consumer(Addresses.RESTORE_TEST_REQUEST, this::onRequest);
    vertx.eventBus().<Messages.CancelJob>consumer(Addresses.RESTORE_TEST_CANCEL, this::onCancel);
    vertx.eventBus().<Messages.BackupPublished>consumer(Addresses.BACKUP_PUBLISHED, m -> {
      Target t = targets.get(m.body().database());
      if (t != null && t.config().afterBackup()) {
        start(m.body().backupId(), "after backup");
      }
    });
    targets.values().stream().filter(t -> t.config().schedule() != null).forEach(this::scheduleNext);
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    running.values().forEach(r -> r.tester.cancel());
    return Future.succeededFuture();
  }

  /** A timer for the next run of the database's schedule; each run tests the newest good backup. */
  private void scheduleNext(Target t) {
    ZonedDateTime now = ZonedDateTime.now(clock.withZone(t.config().schedule().zone()));
    t.config().schedule().next(now).ifPresent(at -> {
      long delay = Math.max(1, Duration.between(now, at).toMillis());
      vertx.setTimer(delay, id -> {
        pools.io().executeBlocking(() -> placement.resolve("latest", t.name(), clock.instant()).id(), false)
            .onSuccess(backup -> start(backup, "schedule"))
            .onFailure(e -> LOG.warning(() -> "scheduled restore test of " + t.name() + " not started: "
                + e.getMessage()));
        scheduleNext(t);
      });
    });
  }

  private void onRequest(Message<Messages.RestoreTestRequest> m) {
    String name = Repository.nameOf(m.body().backupId());
    if (!targets.containsKey(name)) {
      m.fail(404, "database " + name + " has no restore_test in the configuration");
      return;
    }
    Running busy = running.get(name);
    if (busy != null) {
      m.fail(409, "a restore test of " + name + " is already running (job " + busy.job.id() + ")");
      return;
    }
    m.reply(start(m.body().backupId(), m.body().trigger()));
  }

  private Messages.JobAccepted start(String backupId, String trigger) {
    String name = Repository.nameOf(backupId);
    Running busy = running.get(name);
    if (busy != null) {
      LOG.info(() -> "restore test of " + backupId + " (" + trigger + ") not started: job " + busy.job.id()
          + " is testing " + name);
      return new Messages.JobAccepted(busy.job, "a restore test of " + name + " is already running");
    }
    Target t = targets.get(name);
    Job job = Job.queued(Job.Kind.TEST, name, trigger, clock.instant()).withBackup(backupId).running(clock.instant());
    RestoreTester tester = new RestoreTester(vertx, pools, RestoreTester.Options.of(t.config(), t.jobs(), pgBin),
        clock);
    Running run = new Running(job, tester);
    running.put(name, run);
    tester.onProgress(p -> {
      boolean news = p.phase() != run.job.phase() || p.workTotal() != run.job.workTotal();
      run.job = run.job.progress(p, clock.instant());
      long wait = news ? 0 : run.throttle.offer(clock.millis());
      if (wait == 0) {
        update(run.job);
      } else if (wait > 0) {
        vertx.setTimer(wait, x -> {
          run.throttle.sent(clock.millis());
          if (running.get(name) == run) {
            update(run.job);
          }
        });
      }
    });
    update(job);
    LOG.info(() -> "[" + job.id() + "] restore test of " + backupId + " (" + trigger + ")");
    // not found anywhere (or unreadable): the tester reports it from the first repository, as any failure
    pools.io().executeBlocking(() -> {
      try {
        return placement.holder(backupId).repository();
      } catch (RuntimeException e) {
        return placement.receiving(name).repository();
      }
    }, false).compose(repo -> {
      run.read = repo;
      return tester.run(repo, backupId);
    }).onComplete(ar -> {
      if (ar.succeeded()) {
        finish(run, name, ar.result());
      } else { // the tester reports every outcome in its result: this is a bug, but the job must still end
        running.remove(name);
        update(run.job.failed(clock.instant(), ErrorCode.INTERNAL.name(), "restore test of " + backupId + ": "
            + ar.cause()));
      }
    });
    return new Messages.JobAccepted(job, "started");
  }

  private void finish(Running run, String name, RestoreTestResult r) {
    Job current = run.job;
    Job done = r.passed() ? current.succeeded(clock.instant())
        : run.cancelRequested ? current.cancelled(clock.instant(), r.message())
        : current.failed(clock.instant(), r.errorCode() == null ? ErrorCode.INTERNAL.name() : r.errorCode(),
            r.message() + (r.hint() == null ? "" : " (hint: " + r.hint() + ")"));
    pools.io().executeBlocking(() -> {
      RestoreTestRecord.record(run.read, r, done.finished());
      RestoreTestLog.add(placement.receiving(name).repository(), r);
      return null;
    }, false).onFailure(e -> LOG.warning(() -> "[" + done.id() + "] cannot record the restore test of "
        + r.backupId() + ": " + e.getMessage()))
        .onComplete(x -> {
          running.remove(name);
          update(done);
          vertx.eventBus().publish(Addresses.RESTORE_TEST_FINISHED, new Messages.RestoreTestFinished(name,
              r.backupId(), done.id(), r.passed(), done.finished(), Duration.ofMillis(r.durationMs()),
              Duration.ofMillis(r.restoreMs()), r.checked(), r.errorCode(), r.message(), r.hint()));
        });
  }

  private void onCancel(Message<Messages.CancelJob> m) {
    for (Running r : running.values()) {
      if (r.job.id().equals(m.body().jobId())) {
        r.cancelRequested = true;
        r.tester.cancel();
        m.reply(new Messages.JobAccepted(r.job, "cancelling"));
        return;
      }
    }
    m.fail(404, "no running restore test job " + m.body().jobId());
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
