package dev.cairn.verify;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs verify jobs ({@link Addresses#VERIFY_REQUEST}): reads a whole archive with {@link Verifier} and
 * reports the job (kind VERIFY, its backup id set, so that retention and delete leave the backup alone while
 * it runs). One verify per backup at a time: a request while one runs gets the running job back. A damaged
 * archive fails the job with ARCHIVE_CORRUPT and every problem in the error message.
 */
public final class VerifyVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.verify");
  /** At most this many problems are listed in a failed job's message (the count is always given). */
  static final int MAX_LISTED = 20;

  private final Repository repo;
  private final Pools pools;
  private final Clock clock;
  private final int jobs;
  private final Map<String, Job> running = new HashMap<>();

  public VerifyVerticle(Repository repo, Pools pools, Clock clock, int jobs) {
    this.repo = repo;
    this.pools = pools;
    this.clock = clock;
    this.jobs = Math.max(1, jobs);
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.VerifyRequest>consumer(Addresses.VERIFY_REQUEST, this::onRequest);
    return Future.succeededFuture();
  }

  private void onRequest(Message<Messages.VerifyRequest> m) {
    String id = m.body().backupId();
    Job existing = running.get(id);
    if (existing != null) {
      m.reply(new Messages.JobAccepted(existing, "a verify of " + id + " is already running (" + existing.id()
          + "); not started again"));
      return;
    }
    Job job = Job.queued(Job.Kind.VERIFY, Repository.nameOf(id), m.body().trigger(), clock.instant())
        .withBackup(id).running(clock.instant());
    running.put(id, job);
    update(job);
    m.reply(new Messages.JobAccepted(job, "started"));
    LOG.info(() -> "[" + job.id() + "] verifying " + id);
    new Verifier(vertx, pools, jobs).run(repo.archive(id)).onComplete(ar -> {
      running.remove(id);
      Job done;
      if (ar.succeeded() && ar.result().ok()) {
        Verifier.Report r = ar.result();
        int tables = r.manifest().tables().size();
        done = job.progress(r.rawBytes(), r.rows(), tables, tables).succeeded(clock.instant());
        LOG.info(() -> "[" + job.id() + "] " + id + " verified: " + r.chunks() + " chunks, " + r.rows() + " rows");
      } else if (ar.succeeded()) {
        Verifier.Report r = ar.result();
        done = job.progress(r.rawBytes(), r.rows(), 0, r.manifest().tables().size())
            .failed(clock.instant(), ErrorCode.ARCHIVE_CORRUPT.name(), message(id, r.problems()));
      } else {
        CairnException e = CairnException.wrap(ar.cause(), ErrorCode.INTERNAL, "verify of " + id);
        done = job.failed(clock.instant(), e.code().name(), e.getMessage());
      }
      if (done.state() != Job.State.SUCCEEDED) {
        LOG.warning(() -> "[" + job.id() + "] verify of " + id + " failed: " + done.errorMessage());
      }
      update(done);
    });
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
