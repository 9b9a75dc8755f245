package dev.cairn.verify;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.copy.Placement;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.RunningJob;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Verification;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Runs verify jobs ({@link Addresses#VERIFY_REQUEST}): reads a whole archive with {@link Verifier} and
 * reports the job (kind VERIFY, its backup id set, so that retention and delete leave the backup alone while
 * it runs). One verify per backup at a time: a request while one runs gets the running job back. A damaged
 * archive fails the job with ARCHIVE_CORRUPT and every problem in the error message. Progress (bytes and
 * rows checked, tables, work) reaches the jobs verticle at most once a second per job. A verify is
 * cancelled through {@link Addresses#VERIFY_CANCEL}: no chunk read starts after that, and the job ends
 * CANCELLED. A backup is read, and its outcome recorded, in the first repository of its database's list that
 * holds it ({@link Placement#holder}).
 */
public final class VerifyVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.verify");
  /** At most this many problems are listed in a failed job's message (the count is always given). */
  static final int MAX_LISTED = 20;

  private final Placement placement;
  private final Pools pools;
  private final Clock clock;
  private final int jobs;
  private final Map<String, RunningJob<Verifier>> running = new HashMap<>();

  private final Set<String> afterBackup;

  /** {@code afterBackup}: the databases whose every published backup is verified at once. */
  public VerifyVerticle(Repository repo, Pools pools, Clock clock, int jobs, Set<String> afterBackup) {
    this(Placement.single(repo), pools, clock, jobs, afterBackup);
  }

  public VerifyVerticle(Placement placement, Pools pools, Clock clock, int jobs, Set<String> afterBackup) {
    this.placement = placement;
    this.pools = pools;
    this.clock = clock;
    this.jobs = Math.max(1, jobs);
    this.afterBackup = Set.copyOf(afterBackup);
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.VerifyRequest>consumer(Addresses.VERIFY_REQUEST,
        m -> m.reply(start(m.body().backupId(), m.body().trigger())));
    vertx.eventBus().<Messages.BackupPublished>consumer(Addresses.BACKUP_PUBLISHED, m -> {
      if (afterBackup.contains(m.body().database())) {
        start(m.body().backupId(), "after backup");
      }
    });
    vertx.eventBus().<Messages.VerifyLatest>consumer(Addresses.VERIFY_LATEST, m -> verifyLatest(m.body()));
    vertx.eventBus().<Messages.CancelJob>consumer(Addresses.VERIFY_CANCEL, this::onCancel);
    return Future.succeededFuture();
  }

  /** The archive file must not stay open (and its reads queued) while the agent closes its pools. */
  @Override
  public Future<?> stop() {
    running.values().forEach(r -> r.worker().cancel());
    return Future.succeededFuture();
  }

  /** The newest good backup of a database, on its verify schedule. */
  private void verifyLatest(Messages.VerifyLatest req) {
    pools.io().executeBlocking(() -> placement.resolve("latest", req.database(), clock.instant()).id(), false)
        .onSuccess(id -> start(id, req.trigger()))
        .onFailure(e -> LOG.warning(() -> "scheduled verify of " + req.database() + " not started: " + e.getMessage()));
  }

  /** Starts a verify of {@code id} unless one runs; the answer names the job either way. */
  private Messages.JobAccepted start(String id, String trigger) {
    RunningJob<Verifier> existing = running.get(id);
    if (existing != null) {
      return new Messages.JobAccepted(existing.job(), "a verify of " + id + " is already running ("
          + existing.job().id() + "); not started again");
    }
    Job job = Job.queued(Job.Kind.VERIFY, Repository.nameOf(id), trigger, clock.instant())
        .withBackup(id).running(clock.instant());
    Verifier verifier = new Verifier(vertx, pools, jobs);
    RunningJob<Verifier> r = new RunningJob<>(job, verifier, vertx, clock, this::update);
    running.put(id, r);
    update(job);
    LOG.info(() -> "[" + job.id() + "] verifying " + id + " (" + trigger + ")");
    verifier.onProgress(r::progress);
    Repository[] read = new Repository[1]; // where it was read: its outcome is recorded there
    verifier.run(() -> {
      read[0] = placement.holder(id).repository();
      return read[0].openArchive(id, "verify job " + job.id());
    }).onComplete(ar -> {
      running.remove(id);
      r.end();
      Job current = r.job();
      Job done;
      if (ar.succeeded() && ar.result().ok()) {
        Verifier.Report rep = ar.result();
        done = current.succeeded(clock.instant());
        LOG.info(() -> "[" + job.id() + "] " + id + " verified: " + rep.chunks() + " chunks, " + rep.rows() + " rows");
      } else if (ar.succeeded()) {
        done = current.failed(clock.instant(), ErrorCode.ARCHIVE_CORRUPT.name(), message(id, ar.result().problems()));
      } else {
        CairnException e = CairnException.wrap(ar.cause(), ErrorCode.INTERNAL, "verify of " + id);
        done = e.code() == ErrorCode.CANCELLED ? current.cancelled(clock.instant(), e.getMessage())
            : current.failed(clock.instant(), e);
      }
      if (done.state() != Job.State.SUCCEEDED) {
        LOG.warning(() -> "[" + job.id() + "] verify of " + id + " " + done.state().name().toLowerCase(Locale.ROOT)
            + ": " + done.errorMessage());
      }
      // recorded before the job ends: whoever sees the job done sees the backup's new state
      record(read[0], id, ar.succeeded() ? ar.result() : null, done).onComplete(x -> update(done));
    });
    return new Messages.JobAccepted(job, "started");
  }

  /** The outcome in the backup's catalog summary: verified, or failed with the first problem. */
  private Future<Void> record(Repository repo, String id, Verifier.Report report, Job done) {
    if (report == null || repo == null) {
      return Future.succeededFuture(); // cancelled, or the archive could not be read: nothing learned of its bytes
    }
    // a storage-level verify (encrypted, the agent holds only recipient slots) checked no rows: "storage verify"
    String kind = report.storageOnly() ? "storage verify" : "full verify";
    Verification v = report.ok() ? Verification.verified(done.finished(), kind)
        : Verification.failed(done.finished(), kind, report.problems().get(0), report.problems().size());
    return pools.io().<Void>executeBlocking(() -> {
      Backups.recordVerification(repo, id, v);
      return null;
    }, false).onFailure(e -> LOG.warning(() -> "[" + done.id() + "] cannot record the verify of " + id
        + " in the catalog: " + e.getMessage()));
  }

  /** Stops a running verify's reads; its job ends CANCELLED. 404 when no verify job of that id runs here. */
  private void onCancel(Message<Messages.CancelJob> m) {
    String id = m.body().jobId();
    for (RunningJob<Verifier> r : running.values()) {
      if (r.job().id().equals(id)) {
        r.worker().cancel();
        m.reply(new Messages.JobAccepted(r.job(), "cancelling"));
        return;
      }
    }
    m.fail(404, "no running verify job " + id);
  }

  /** "archive X is damaged: N problem(s): p1; p2; ..." listing at most {@link #MAX_LISTED}. */
  static String message(String id, List<String> problems) {
    StringBuilder sb = new StringBuilder("archive ").append(id).append(" is damaged: ").append(problems.size())
        .append(" problem(s): ");
    sb.append(String.join("; ", problems.subList(0, Math.min(MAX_LISTED, problems.size()))));
    if (problems.size() > MAX_LISTED) {
      sb.append("; and ").append(problems.size() - MAX_LISTED).append(" more");
    }
    return sb.toString();
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
