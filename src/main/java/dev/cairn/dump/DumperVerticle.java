package dev.cairn.dump;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.conn.ConnSpec;
import dev.cairn.copy.Placement;
import dev.cairn.copy.Repositories;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Runs backup jobs: at most one per database at a time, a request while one runs is queued once (a
 * further one is reported, not stacked), at most {@code maxConcurrent} across databases, each under a
 * timeout. Removes partial files left by a crash when it starts; on shutdown it stops taking jobs and
 * cancels the running ones (server-side COPY cancel, partial archive removed). Each database's backups are
 * written to the first repository of its list ({@link Placement#receiving}).
 */
public final class DumperVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.dump");

  /** A database the agent backs up; {@code copiedTo}: the repositories its backups are copied to. */
  public record Target(String name, ConnSpec spec, Dumper.Options options, Duration timeout,
      List<Repository> copiedTo) {}

  private record Running(Job job, Dumper dumper, long timer, boolean[] timedOut) {}

  private final Map<String, Target> targets;
  private final Placement placement;
  private final Pools pools;
  private final Clock clock;
  private final int maxConcurrent;
  private final Map<String, Running> running = new HashMap<>();
  private final Map<String, Job> queued = new HashMap<>();
  private final ArrayDeque<String> waiting = new ArrayDeque<>();
  private boolean shuttingDown;
  private Promise<Integer> drained;

  /** Every backup written to {@code repo}. */
  public DumperVerticle(List<Target> targets, Repository repo, Pools pools, Clock clock, int maxConcurrent) {
    this(targets, Placement.single(repo), pools, clock, maxConcurrent);
  }

  public DumperVerticle(List<Target> targets, Placement placement, Pools pools, Clock clock, int maxConcurrent) {
    this.targets = new HashMap<>();
    targets.forEach(t -> this.targets.put(t.name(), t));
    this.placement = placement;
    this.pools = pools;
    this.clock = clock;
    this.maxConcurrent = Math.max(1, maxConcurrent);
  }

  @Override
  public Future<?> start() {
    return pools.io().executeBlocking(this::removePartials, false).map(removed -> {
      removed.forEach(f -> LOG.warning(() -> "removed " + f + ", left by a backup that did not finish"));
      vertx.eventBus().<Messages.BackupRequest>consumer(Addresses.BACKUP_REQUEST, this::onRequest);
      vertx.eventBus().<Messages.CancelJob>consumer(Addresses.BACKUP_CANCEL, this::onCancel);
      vertx.eventBus().<Messages.Shutdown>consumer(Addresses.DUMPER_SHUTDOWN, this::onShutdown);
      return null;
    });
  }

  /** Leftovers of crashed writes, in every repository that receives backups (the others get only copies). */
  private List<String> removePartials() {
    List<String> removed = new ArrayList<>();
    for (Repositories.Named r : placement.repositories().all()) {
      if (targets.keySet().stream().anyMatch(db -> placement.receiving(db).name().equals(r.name()))) {
        boolean several = placement.repositories().all().size() > 1;
        r.repository().removePartials().forEach(f -> removed.add(several ? f + " in " + r.name() : f));
      }
    }
    return removed;
  }

  private void onRequest(Message<Messages.BackupRequest> m) {
    String db = m.body().database();
    Target t = targets.get(db);
    if (t == null) {
      m.fail(404, "no database named " + db + " in the configuration");
      return;
    }
    if (shuttingDown) {
      m.fail(503, "the agent is stopping; no new backups");
      return;
    }
    Job existing = queued.get(db);
    if (existing != null) {
      m.reply(new Messages.JobAccepted(existing, "a backup of " + db + " is already queued (" + existing.id()
          + "); not queued again"));
      return;
    }
    Job job = Job.queued(Job.Kind.BACKUP, db, m.body().trigger(), clock.instant());
    update(job);
    if (running.containsKey(db)) {
      queued.put(db, job);
      m.reply(new Messages.JobAccepted(job, "queued behind running job " + running.get(db).job().id()));
    } else if (running.size() >= maxConcurrent) {
      queued.put(db, job);
      waiting.add(db);
      m.reply(new Messages.JobAccepted(job, "queued: " + running.size() + " backups running (at most "
          + maxConcurrent + ")"));
    } else {
      m.reply(new Messages.JobAccepted(job, "started"));
      run(t, job);
    }
  }

  private void run(Target t, Job queuedJob) {
    Job job = queuedJob.running(clock.instant());
    update(job);
    Dumper dumper = new Dumper(vertx, pools, t.spec(), placement.receiving(t.name()).repository(), t.options(), clock)
        .logTag(job.id()).idsFreeIn(t.copiedTo());
    boolean[] timedOut = {false};
    long timer = vertx.setTimer(Math.max(1, t.timeout().toMillis()), x -> {
      timedOut[0] = true;
      LOG.warning(() -> "[" + job.id() + "] backup of " + t.name() + " timed out after " + t.timeout() + "; cancelling");
      dumper.cancel();
    });
    running.put(t.name(), new Running(job, dumper, timer, timedOut));
    dumper.onProgress(p -> {
      Running r = running.get(t.name());
      if (r != null) {
        Job moved = r.job().progress(p, clock.instant());
        running.put(t.name(), new Running(moved, r.dumper(), r.timer(), r.timedOut()));
        update(moved);
      }
    });
    Future<Dumper.Result> f;
    try {
      f = dumper.run();
    } catch (RuntimeException e) {
      f = Future.failedFuture(e); // a throw here would leave the job running and the next ones queued behind it
    }
    f.onComplete(ar -> {
      vertx.cancelTimer(timer);
      Running r = running.remove(t.name());
      Job current = r.job();
      Job done;
      if (ar.succeeded()) {
        var m = ar.result().manifest();
        done = current.withBackup(ar.result().id())
            .progress(m.totalRawBytes(), m.totalRows(), m.tables().size(), m.tables().size())
            .succeeded(clock.instant());
        LOG.info(() -> "[" + done.id() + "] backup " + done.backupId() + " of " + t.name() + " published: "
            + m.tables().size() + " tables, " + m.totalRows() + " rows");
        vertx.eventBus().publish(Addresses.BACKUP_PUBLISHED, new Messages.BackupPublished(t.name(), done.backupId()));
      } else {
        CairnException e = CairnException.wrap(ar.cause(), ErrorCode.INTERNAL, "backup of " + t.name());
        if (timedOut[0]) {
          done = current.failed(clock.instant(), "TIMEOUT", "backup of " + t.name() + " did not finish within "
              + t.timeout() + " and was cancelled; nothing was published");
        } else if (e.code() == ErrorCode.CANCELLED) {
          done = current.cancelled(clock.instant(), shuttingDown ? "cancelled: the agent is stopping" : e.getMessage());
        } else {
          done = current.failed(clock.instant(), e);
        }
        LOG.warning(() -> "[" + done.id() + "] backup of " + t.name() + " "
            + done.state().name().toLowerCase(Locale.ROOT) + ": " + done.errorMessage());
      }
      update(done);
      next(t.name());
    });
  }

  /** Starts what waited for this database or for a free slot. */
  private void next(String finishedDb) {
    if (shuttingDown) {
      if (running.isEmpty() && drained != null) {
        drained.tryComplete(0);
      }
      return;
    }
    Job mine = queued.get(finishedDb);
    if (mine != null && !waiting.contains(finishedDb) && running.size() < maxConcurrent) {
      queued.remove(finishedDb);
      run(targets.get(finishedDb), mine);
    } else if (mine != null && !waiting.contains(finishedDb)) {
      waiting.add(finishedDb);
    }
    while (running.size() < maxConcurrent && !waiting.isEmpty()) {
      String db = waiting.poll();
      if (running.containsKey(db)) {
        continue; // picked up again when that backup ends
      }
      Job j = queued.remove(db);
      if (j != null) {
        run(targets.get(db), j);
      }
    }
  }

  private void onCancel(Message<Messages.CancelJob> m) {
    String id = m.body().jobId();
    for (Running r : running.values()) {
      if (r.job().id().equals(id)) {
        r.dumper().cancel();
        m.reply(new Messages.JobAccepted(r.job(), "cancelling"));
        return;
      }
    }
    for (Map.Entry<String, Job> e : queued.entrySet()) {
      if (e.getValue().id().equals(id)) {
        queued.remove(e.getKey());
        waiting.remove(e.getKey());
        Job c = e.getValue().cancelled(clock.instant(), "cancelled before it started");
        update(c);
        m.reply(new Messages.JobAccepted(c, "cancelled"));
        return;
      }
    }
    m.fail(404, "no queued or running backup job " + id);
  }

  private void onShutdown(Message<Messages.Shutdown> m) {
    shuttingDown = true;
    for (Job j : queued.values()) {
      update(j.cancelled(clock.instant(), "cancelled before it started: the agent is stopping"));
    }
    queued.clear();
    waiting.clear();
    int n = running.size();
    if (n == 0) {
      m.reply(new Messages.ShutdownDone(0));
      return;
    }
    drained = Promise.promise();
    running.values().forEach(r -> r.dumper().cancel());
    drained.future().onComplete(x -> m.reply(new Messages.ShutdownDone(n)));
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
