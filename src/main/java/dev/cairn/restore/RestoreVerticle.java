package dev.cairn.restore;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs restore jobs ({@link Addresses#RESTORE_REQUEST}) with {@link Restorer}: into a configured database
 * (its own connection) or into any connection. The job (kind RESTORE) is named after the target database
 * and carries the backup id, so that retention and delete leave the backup alone while it runs. One
 * restore per target (server and database) at a time: another request for it is refused (409). Refusals
 * are bus failures: 404 unknown database, 409 target busy. On undeploy, running restores are cancelled.
 */
public final class RestoreVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.restore");

  /** A configured database: restores into it use its connection and its number of jobs. */
  public record Target(String name, ConnSpec spec, int jobs) {}

  private record Running(Job job, Restorer restorer) {}

  private final Map<String, Target> targets = new HashMap<>();
  private final Repository repo;
  private final Pools pools;
  private final Clock clock;
  private final int defaultJobs;
  private final Path pgBin;
  private final Map<String, Running> running = new HashMap<>();

  public RestoreVerticle(java.util.List<Target> targets, Repository repo, Pools pools, Clock clock, int defaultJobs,
      Path pgBin) {
    targets.forEach(t -> this.targets.put(t.name(), t));
    this.repo = repo;
    this.pools = pools;
    this.clock = clock;
    this.defaultJobs = Math.max(1, defaultJobs);
    this.pgBin = pgBin;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.RestoreRequest>consumer(Addresses.RESTORE_REQUEST, this::onRequest);
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
    Running busy = running.get(key);
    if (busy != null) {
      m.fail(409, "a restore into " + spec.describe() + " is already running (job " + busy.job().id() + ")");
      return;
    }
    Job job = Job.queued(Job.Kind.RESTORE, spec.database(), req.trigger(), clock.instant())
        .withBackup(req.backupId()).running(clock.instant());
    Restorer restorer = new Restorer(vertx, pools, spec, new Restorer.Options(jobs, req.create() || req.clean(),
        req.clean(), req.tables(), false, false, pgBin));
    running.put(key, new Running(job, restorer));
    update(job);
    m.reply(new Messages.JobAccepted(job, "started"));
    LOG.info(() -> "[" + job.id() + "] restoring " + req.backupId() + " into " + key
        + (req.clean() ? " (clean: dropped and recreated)" : req.create() ? " (created)" : "")
        + (req.tables().isEmpty() ? "" : ", tables " + String.join(", ", req.tables())));
    Future<Restorer.Result> f;
    try {
      f = restorer.run(repo.archive(req.backupId()));
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      running.remove(key);
      Job done;
      if (ar.succeeded()) {
        Restorer.Result r = ar.result();
        done = job.progress(0, r.rows(), r.tables(), r.tables()).succeeded(clock.instant());
        LOG.info(() -> "[" + job.id() + "] restored " + req.backupId() + " into " + key + ": " + r.tables()
            + " tables, " + r.rows() + " rows, row counts match");
      } else {
        CairnException e = CairnException.wrap(ar.cause(), ErrorCode.INTERNAL, "restore of " + req.backupId());
        done = e.code() == ErrorCode.CANCELLED ? job.cancelled(clock.instant(), e.getMessage())
            : job.failed(clock.instant(), e.code().name(), e.getMessage());
        LOG.warning(() -> "[" + job.id() + "] restore of " + req.backupId() + " into " + key + " "
            + done.state().name().toLowerCase() + ": " + done.errorMessage());
      }
      update(done);
    });
  }

  @Override
  public Future<?> stop() {
    running.values().forEach(r -> r.restorer().cancel());
    return Future.succeededFuture();
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
