package dev.cairn.copy;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.ProgressThrottle;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;

/**
 * Runs copy jobs (kind COPY): after each published backup, one per other repository of its database, from
 * the repository that received it; and on request ({@link Addresses#COPY_REQUEST}). At most
 * {@link Pools#TRANSFERS} stream at once, the rest queue. A failed attempt is retried with exponential backoff
 * and jitter, up to {@code attempts}; the job stays running meanwhile (so retention keeps the source backup)
 * and fails at the end with every attempt's error. Cancelled through {@link Addresses#COPY_CANCEL}. Each copy
 * is an {@link ArchiveCopy}: nothing is listed in the target until it is complete and checked there.
 */
public final class CopyVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.copy");
  /** No wait between attempts is longer than this, however many attempts are configured. */
  static final Duration MAX_BACKOFF = Duration.ofMinutes(30);

  /** How copies are retried: {@code attempts} in all, the first wait {@code backoff}, doubling. */
  public record Retry(int attempts, Duration backoff) {}

  private final class Task {
    final String key;
    final String id;
    final String from;
    final String to;
    final List<String> errors = new ArrayList<>();
    final ProgressThrottle throttle = new ProgressThrottle(ProgressThrottle.DEFAULT_INTERVAL);
    Job job;
    ArchiveCopy copy;
    long timer = -1;
    boolean cancelled;

    Task(String id, String from, String to, Job job) {
      this.key = id + " " + to;
      this.id = id;
      this.from = from;
      this.to = to;
      this.job = job;
    }
  }

  private final Repositories repositories;
  private final Map<String, List<String>> routes;
  private final Pools pools;
  private final Clock clock;
  private final int verifyJobs;
  private final Retry retry;
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private final ArrayDeque<Task> waiting = new ArrayDeque<>();
  private final Map<String, Messages.CopyStatus> status = new HashMap<>();
  private int streaming;
  private boolean shuttingDown;
  private io.vertx.core.Promise<Void> drained;

  /** {@code routes}: database name to its repositories' names, the first receiving its backups. */
  public CopyVerticle(Repositories repositories, Map<String, List<String>> routes, Pools pools, Clock clock,
      int verifyJobs, Retry retry) {
    this.repositories = repositories;
    this.routes = Map.copyOf(routes);
    this.pools = pools;
    this.clock = clock;
    this.verifyJobs = verifyJobs;
    this.retry = retry;
  }

  @Override
  public Future<?> start() {
    return pools.io().executeBlocking(() -> CopyRecovery.recover(repositories, routes, clock), false).map(rec -> {
      rec.lastCopies().forEach((name, at) -> status.put(name, new Messages.CopyStatus(name, null, at, null, false)));
      vertx.eventBus().<Messages.BackupPublished>consumer(Addresses.BACKUP_PUBLISHED, m -> afterBackup(m.body()));
      vertx.eventBus().<Messages.CopyRequest>consumer(Addresses.COPY_REQUEST, this::onRequest);
      vertx.eventBus().<Messages.CancelJob>consumer(Addresses.COPY_CANCEL, this::onCancel);
      vertx.eventBus().<Messages.Shutdown>consumer(Addresses.COPY_SHUTDOWN, this::onShutdown);
      vertx.eventBus().<Messages.CopyStatusQuery>consumer(Addresses.COPY_STATUS,
          m -> m.reply(new Messages.CopyStatusList(List.copyOf(status.values()))));
      rec.missing().forEach(m -> enqueue(m.id(), m.from(), m.to(), "missing at start"));
      return null;
    });
  }

  /** The stream under way stops at its next block; its upload is removed (or at the next start). */
  @Override
  public Future<?> stop() {
    tasks.values().forEach(t -> {
      if (t.copy != null) {
        t.copy.cancel();
      }
    });
    return Future.succeededFuture();
  }

  private void afterBackup(Messages.BackupPublished p) {
    if (shuttingDown) {
      return; // copied at the next start: the newest backup missing from a repository is
    }
    List<String> route = routes.getOrDefault(p.database(), List.of());
    for (String to : route.subList(Math.min(1, route.size()), route.size())) {
      enqueue(p.backupId(), route.get(0), to, "after backup");
    }
  }

  private void onRequest(Message<Messages.CopyRequest> m) {
    if (shuttingDown) {
      m.fail(503, "the agent is stopping; no new copies");
      return;
    }
    Messages.CopyRequest r = m.body();
    List<String> route = routes.get(Repository.nameOf(r.backupId()));
    String from = r.from() != null ? r.from() : route == null ? null : route.get(0);
    if (from == null) {
      m.fail(404, "backup " + r.backupId() + " is not of a configured database; name the repository to copy from");
    } else if (repositories.get(from).isEmpty() || repositories.get(r.to()).isEmpty()) {
      m.fail(404, "no repository named " + (repositories.get(from).isEmpty() ? from : r.to())
          + " in the configuration (known: " + String.join(", ", repositories.names()) + ")");
    } else if (from.equals(r.to())) {
      m.fail(400, "a copy needs two repositories; " + from + " was given twice");
    } else {
      m.reply(enqueue(r.backupId(), from, r.to(), r.trigger()));
    }
  }

  private Messages.JobAccepted enqueue(String id, String from, String to, String trigger) {
    Task existing = tasks.get(id + " " + to);
    if (existing != null) {
      return new Messages.JobAccepted(existing.job, "a copy of " + id + " to " + to + " is already under way ("
          + existing.job.id() + ")");
    }
    Job job = Job.queued(Job.Kind.COPY, Repository.nameOf(id), trigger + ", to " + to, clock.instant()).withBackup(id);
    Task t = new Task(id, from, to, job);
    tasks.put(t.key, t);
    waiting.add(t);
    update(job);
    pump();
    return new Messages.JobAccepted(t.job, waiting.contains(t) ? "queued" : "started");
  }

  private void pump() {
    while (streaming < Pools.TRANSFERS && !waiting.isEmpty()) {
      attempt(waiting.poll());
    }
  }

  private void attempt(Task t) {
    if (t.job.state() == Job.State.QUEUED) {
      t.job = t.job.running(clock.instant());
      update(t.job);
    }
    int n = t.errors.size() + 1;
    LOG.info(() -> "[" + t.job.id() + "] copying " + t.id + " from " + t.from + " to " + t.to
        + (n > 1 ? " (attempt " + n + " of " + retry.attempts() + ")" : ""));
    streaming++;
    t.copy = new ArchiveCopy(vertx, pools, verifyJobs, clock).onProgress(p -> {
      t.job = t.job.progress(p, clock.instant());
      if (t.throttle.offer(clock.millis()) == 0) {
        update(t.job);
      }
    });
    Repository source = repositories.get(t.from).orElseThrow().repository();
    Repository target = repositories.get(t.to).orElseThrow().repository();
    t.copy.run(source, t.from, target, t.id).onComplete(ar -> {
      streaming--;
      t.copy = null;
      ended(t, ar.succeeded() ? ar.result().copiedAt() : null,
          ar.succeeded() ? null : CairnException.wrap(ar.cause(), ErrorCode.INTERNAL, "copy of " + t.id));
      pump();
    });
  }

  /** {@code e} null: the copy was published at {@code copiedAt}. */
  private void ended(Task t, Instant copiedAt, CairnException e) {
    Instant now = clock.instant();
    Messages.CopyStatus before = status.get(t.to);
    Instant lastSuccess = before == null ? null : before.lastSuccess();
    if (e == null || e.code() == ErrorCode.BACKUP_EXISTS) {
      // already there: published by an earlier copy (or by hand), and never replaced
      status.put(t.to, new Messages.CopyStatus(t.to, now, e == null ? copiedAt : lastSuccess, null, false));
      finish(t, t.job.succeeded(now));
      LOG.info(() -> "[" + t.job.id() + "] " + t.id + (e == null ? " copied to " : " was already in ") + t.to);
      vertx.eventBus().publish(Addresses.BACKUP_COPIED, new Messages.BackupCopied(t.job.database(), t.id, t.to));
      return;
    }
    if (t.cancelled || e.code() == ErrorCode.CANCELLED) {
      finish(t, t.job.cancelled(now, shuttingDown ? "cancelled: the agent is stopping; " + e.getMessage()
          : e.getMessage()));
      return;
    }
    t.errors.add(e.getMessage());
    // a retry cannot change these: the source backup is gone, or the target holds another under its id
    boolean last = t.errors.size() >= retry.attempts() || e.code() == ErrorCode.BACKUP_NOT_FOUND
        || e.code() == ErrorCode.BACKUP_ID_CONFLICT;
    status.put(t.to, new Messages.CopyStatus(t.to, now, lastSuccess, e.getMessage(), last));
    if (last) {
      String msg = "copy of " + t.id + " to " + t.to + " failed after " + t.errors.size() + " attempt(s): "
          + String.join("; then: ", t.errors);
      LOG.warning(() -> "[" + t.job.id() + "] " + msg);
      finish(t, t.job.failed(now, e.code().name(), msg));
      return;
    }
    long wait = backoff(t.errors.size());
    LOG.warning(() -> "[" + t.job.id() + "] copy of " + t.id + " to " + t.to + " failed (attempt " + t.errors.size()
        + " of " + retry.attempts() + "): " + e.getMessage() + "; retrying in " + wait + " ms");
    t.timer = vertx.setTimer(wait, x -> {
      t.timer = -1;
      waiting.add(t);
      pump();
    });
  }

  /** The wait after the {@code failures}-th failure: backoff × 2^(failures-1), capped, ±25 % jitter. */
  private long backoff(int failures) {
    long base = Math.min(MAX_BACKOFF.toMillis(), retry.backoff().toMillis() << Math.min(20, failures - 1));
    return Math.max(1, base + ThreadLocalRandom.current().nextLong(-base / 4, base / 4 + 1));
  }

  private void finish(Task t, Job done) {
    tasks.remove(t.key);
    waiting.remove(t);
    t.job = done;
    update(done);
    if (drained != null && tasks.isEmpty()) {
      drained.tryComplete();
    }
  }

  /** Stops taking copies and cancels every one (queued, waiting to retry or streaming); answers once all ended. */
  private void onShutdown(Message<Messages.Shutdown> m) {
    shuttingDown = true;
    int n = tasks.size();
    drained = io.vertx.core.Promise.promise();
    for (Task t : List.copyOf(tasks.values())) {
      cancel(t, "cancelled: the agent is stopping");
    }
    if (tasks.isEmpty()) {
      drained.tryComplete();
    }
    drained.future().onComplete(x -> m.reply(new Messages.ShutdownDone(n)));
  }

  /** Queued or waiting to retry: ends now; streaming: stops at its next block and ends CANCELLED. */
  private void onCancel(Message<Messages.CancelJob> m) {
    for (Task t : tasks.values()) {
      if (t.job.id().equals(m.body().jobId())) {
        m.reply(new Messages.JobAccepted(t.job, "cancelling"));
        cancel(t, "copy of " + t.id + " to " + t.to + " cancelled; nothing was published there");
        return;
      }
    }
    m.fail(404, "no queued or running copy job " + m.body().jobId());
  }

  private void cancel(Task t, String why) {
    t.cancelled = true;
    if (t.copy != null) {
      t.copy.cancel();
      return;
    }
    if (t.timer >= 0) {
      vertx.cancelTimer(t.timer);
    }
    finish(t, t.job.cancelled(clock.instant(), why));
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
