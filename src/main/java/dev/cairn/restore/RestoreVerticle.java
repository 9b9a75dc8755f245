package dev.cairn.restore;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.conn.ConnSpec;
import dev.cairn.copy.Placement;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.RunningJob;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs restore jobs ({@link Addresses#RESTORE_REQUEST}) with {@link Restorer}: into a configured database
 * (its own connection) or into any connection. The job (kind RESTORE) is named after the target database
 * and carries the backup id, so that retention and delete leave the backup alone while it runs. One
 * restore per target (server and database) at a time: another request for it is refused (409). Refusals
 * are bus failures: 404 unknown database, 409 target busy. Progress of the data phase (bytes and rows
 * sent, tables loaded, work) reaches the jobs verticle at most once a second per job. A restore is
 * cancelled through {@link Addresses#RESTORE_CANCEL}; its job then ends CANCELLED, whatever error the
 * stopped pg_restore or cancelled COPY raised. On undeploy, running restores are cancelled. A backup is read
 * from the first repository of its database's list that holds it ({@link Placement#holder}).
 */
public final class RestoreVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.restore");

  /** A configured database: restores into it use its connection and its number of jobs. */
  public record Target(String name, ConnSpec spec, int jobs) {}

  private final Map<String, Target> targets = new HashMap<>();
  private final Placement placement;
  private final Pools pools;
  private final Clock clock;
  private final int defaultJobs;
  private final Path pgBin;
  private final Map<String, RunningJob<Restorer>> running = new HashMap<>();

  public RestoreVerticle(java.util.List<Target> targets, Repository repo, Pools pools, Clock clock, int defaultJobs,
      Path pgBin) {
    this(targets, Placement.single(repo), pools, clock, defaultJobs, pgBin);
  }

  public RestoreVerticle(java.util.List<Target> targets, Placement placement, Pools pools, Clock clock,
      int defaultJobs, Path pgBin) {
    targets.forEach(t -> this.targets.put(t.name(), t));
    this.placement = placement;
    this.pools = pools;
    this.clock = clock;
    this.defaultJobs = Math.max(1, defaultJobs);
    this.pgBin = pgBin;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.RestoreRequest>consumer(Addresses.RESTORE_REQUEST, this::onRequest);
    vertx.eventBus().<Messages.CancelJob>consumer(Addresses.RESTORE_CANCEL, this::onCancel);
    return Future.succeededFuture();
  }

  private void onRequest(Message<Messages.RestoreRequest> m) {
    Messages.RestoreRequest req = m.body();
    ConnSpec spec;
    int jobs;
    if (req.database() != null) {
      Target t = targets.get(req.database());
      if (t == null) {
        m.fail(404, "no database named " + req.database() + " in the configuration");
        return;
      }
      spec = t.spec();
      jobs = t.jobs();
    } else {
      spec = req.spec();
      jobs = defaultJobs;
    }
    // the target is the server and database, whoever connects to it
    String key = spec.host() + ":" + spec.port() + "/" + spec.database();
    RunningJob<Restorer> busy = running.get(key);
    if (busy != null) {
      m.fail(409, "a restore into " + spec.describe() + " is already running (job " + busy.job().id() + ")");
      return;
    }
    Job job = Job.queued(Job.Kind.RESTORE, spec.database(), req.trigger(), clock.instant())
        .withBackup(req.backupId()).running(clock.instant());
    Restorer restorer = new Restorer(vertx, pools, spec, new Restorer.Options(jobs, req.create() || req.clean(),
        req.clean(), req.tables(), false, false, req.globals(), pgBin));
    RunningJob<Restorer> run = new RunningJob<>(job, restorer, vertx, clock, this::update);
    running.put(key, run);
    restorer.onProgress(run::progress);
    update(job);
    m.reply(new Messages.JobAccepted(job, "started"));
    LOG.info(() -> "[" + job.id() + "] restoring " + req.backupId() + " into " + key
        + (req.clean() ? " (clean: dropped and recreated)" : req.create() ? " (created)" : "")
        + (req.globals() ? ", with its roles and tablespaces" : "")
        + (req.tables().isEmpty() ? "" : ", tables " + String.join(", ", req.tables())));
    Future<Restorer.Result> f;
    try {
      f = restorer.run(() -> placement.holder(req.backupId()).repository().openArchive(req.backupId(),
          "restore job " + job.id()));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      running.remove(key);
      run.end();
      Job current = run.job();
      Job done;
      if (ar.succeeded()) {
        Restorer.Result r = ar.result();
        done = current.progress(current.bytes(), r.rows(), r.tables(), r.tables()).succeeded(clock.instant());
        LOG.info(() -> "[" + job.id() + "] restored " + req.backupId() + " into " + key + ": " + r.tables()
            + " tables, " + r.rows() + " rows, row counts match");
      } else if (run.cancelRequested()) {
        // Cancelling kills pg_restore and COPYs on the server: whatever error that caused, it was asked for.
        done = current.cancelled(clock.instant(), "restore of " + req.backupId() + " was cancelled; database "
            + spec.database() + " may be left partially restored (hint: restore again with clean, which drops and"
            + " recreates it, or drop database " + spec.database() + ")");
        LOG.warning(() -> "[" + job.id() + "] restore of " + req.backupId() + " into " + key + " cancelled; the"
            + " stopped restore reported: " + ar.cause().getMessage());
      } else {
        CairnException e = CairnException.wrap(ar.cause(), ErrorCode.INTERNAL, "restore of " + req.backupId());
        done = e.code() == ErrorCode.CANCELLED ? current.cancelled(clock.instant(), e.getMessage())
            : current.failed(clock.instant(), e);
        LOG.warning(() -> "[" + job.id() + "] restore of " + req.backupId() + " into " + key + " "
            + done.state().name().toLowerCase(Locale.ROOT) + ": " + done.errorMessage());
      }
      update(done);
    });
  }

  /**
   * Cancels a running restore: pg_restore stopped, COPYs cancelled on the server; the job ends CANCELLED.
   * 404 when no restore job of that id runs here.
   */
  private void onCancel(Message<Messages.CancelJob> m) {
    String id = m.body().jobId();
    for (RunningJob<Restorer> r : running.values()) {
      if (r.job().id().equals(id)) {
        r.requestCancel();
        r.worker().cancel();
        m.reply(new Messages.JobAccepted(r.job(), "cancelling"));
        return;
      }
    }
    m.fail(404, "no running restore job " + id);
  }

  @Override
  public Future<?> stop() {
    running.values().forEach(r -> r.worker().cancel());
    return Future.succeededFuture();
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
