package dev.cairn.restoretest;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.RestoreTestConfig;
import dev.cairn.copy.Placement;
import dev.cairn.engine.Pools;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.RunningJob;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs restore tests as jobs (kind test, with the backup id: retention and delete leave the backup alone while
 * it runs): on request ({@link Addresses#RESTORE_TEST_REQUEST}: API), after each published backup of a database
 * with {@code after_backup}, and on each run of its {@code restore_test.schedule}, which the scheduler fires
 * ({@link Addresses#RESTORE_TEST_LATEST}: the newest good backup). One
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

  private final Map<String, Target> targets = new HashMap<>();
  private final Placement placement;
  private final Pools pools;
  private final Clock clock;
  private final Path pgBin;
  private final Map<String, RunningJob<RestoreTester>> running = new HashMap<>();

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
    vertx.eventBus().<Messages.RestoreTestLatest>consumer(Addresses.RESTORE_TEST_LATEST, m -> testLatest(m.body()));
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    running.values().forEach(r -> r.worker().cancel());
    return Future.succeededFuture();
  }

  /** A run of the database's {@code restore_test.schedule} (the scheduler fires it): its newest good backup. */
  private void testLatest(Messages.RestoreTestLatest req) {
    if (!targets.containsKey(req.database())) {
      LOG.warning(() -> req.trigger() + " restore test of " + req.database() + " not started: it has no restore_test");
      return;
    }
    pools.io().executeBlocking(() -> placement.resolve("latest", req.database(), clock.instant()).id(), false)
        .onSuccess(backup -> start(backup, req.trigger()))
        .onFailure(e -> LOG.warning(() -> req.trigger() + " restore test of " + req.database() + " not started: "
            + e.getMessage()));
  }

  private void onRequest(Message<Messages.RestoreTestRequest> m) {
    String name = Repository.nameOf(m.body().backupId());
    if (!targets.containsKey(name)) {
      m.fail(404, "database " + name + " has no restore_test in the configuration");
      return;
    }
    RunningJob<RestoreTester> busy = running.get(name);
    if (busy != null) {
      m.fail(409, "a restore test of " + name + " is already running (job " + busy.job().id() + ")");
      return;
    }
    m.reply(start(m.body().backupId(), m.body().trigger()));
  }

  private Messages.JobAccepted start(String backupId, String trigger) {
    String name = Repository.nameOf(backupId);
    RunningJob<RestoreTester> busy = running.get(name);
    if (busy != null) {
      LOG.info(() -> "restore test of " + backupId + " (" + trigger + ") not started: job " + busy.job().id()
          + " is testing " + name);
      return new Messages.JobAccepted(busy.job(), "a restore test of " + name + " is already running");
    }
    Target t = targets.get(name);
    Job job = Job.queued(Job.Kind.TEST, name, trigger, clock.instant()).withBackup(backupId).running(clock.instant());
    RestoreTester tester = new RestoreTester(vertx, pools, RestoreTester.Options.of(t.config(), t.jobs(), pgBin),
        clock);
    RunningJob<RestoreTester> run = new RunningJob<>(job, tester, vertx, clock, this::update);
    running.put(name, run);
    tester.onProgress(run::progress);
    update(job);
    LOG.info(() -> "[" + job.id() + "] restore test of " + backupId + " (" + trigger + ")");
    // not found anywhere (or unreadable): the tester reports it from the first repository, as any failure
    pools.io().executeBlocking(() -> {
      try {
        return placement.holder(backupId).repository();
      } catch (RuntimeException e) {
        return placement.receiving(name).repository();
      }
    }, false).compose(repo -> tester.run(repo, backupId).map(r -> {
      finish(run, name, repo, r);
      return r;
    })).onFailure(e -> { // the tester reports every outcome in its result: this is a bug, but the job must still end
      running.remove(name);
      run.end();
      update(run.job().failed(clock.instant(), ErrorCode.INTERNAL.name(), "restore test of " + backupId + ": " + e));
    });
    return new Messages.JobAccepted(job, "started");
  }

  /** Records the result ({@code read}: the repository the test read the backup from) and ends the job. */
  private void finish(RunningJob<RestoreTester> run, String name, Repository read, RestoreTestResult r) {
    Job current = run.job();
    Job done = r.passed() ? current.succeeded(clock.instant())
        : run.cancelRequested() ? current.cancelled(clock.instant(), r.message())
        : current.failed(clock.instant(), r.errorCode() == null ? ErrorCode.INTERNAL.name() : r.errorCode(),
            r.message() + (r.hint() == null ? "" : " (hint: " + r.hint() + ")"));
    pools.io().executeBlocking(() -> {
      RestoreTestRecord.record(read, r, done.finished());
      RestoreTestLog.add(placement.receiving(name).repository(), r);
      return null;
    }, false).onFailure(e -> LOG.warning(() -> "[" + done.id() + "] cannot record the restore test of "
        + r.backupId() + ": " + e.getMessage()))
        .onComplete(x -> {
          running.remove(name);
          run.end();
          update(done);
          vertx.eventBus().publish(Addresses.RESTORE_TEST_FINISHED, new Messages.RestoreTestFinished(name,
              r.backupId(), done.id(), r.passed(), done.finished(), Duration.ofMillis(r.durationMs()),
              Duration.ofMillis(r.restoreMs()), r.checked(), r.errorCode(), r.message(), r.hint()));
        });
  }

  private void onCancel(Message<Messages.CancelJob> m) {
    for (RunningJob<RestoreTester> r : running.values()) {
      if (r.job().id().equals(m.body().jobId())) {
        r.requestCancel();
        r.worker().cancel();
        m.reply(new Messages.JobAccepted(r.job(), "cancelling"));
        return;
      }
    }
    m.fail(404, "no running restore test job " + m.body().jobId());
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
