package dev.cairn.jobs;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Owns the job registry: every verticle that runs a job sends its state changes here
 * ({@link Addresses#JOB_UPDATE}); this verticle records state transitions in the repository's
 * {@link JobHistory}, republishes them as events and answers queries. Progress stays in memory.
 */
public final class JobsVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.jobs");

  private final JobHistory history;
  private final WorkerExecutor io;
  private final Clock clock;
  private final int limit;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private Future<Void> writes = Future.succeededFuture();

  public JobsVerticle(JobHistory history, WorkerExecutor io, Clock clock, int limit) {
    this.history = history;
    this.io = io;
    this.clock = clock;
    this.limit = limit;
  }

  @Override
  public Future<?> start() {
    return io.executeBlocking(() -> {
      List<Job> stale = history.recoverInterrupted(clock.instant());
      stale.forEach(j -> LOG.warning(() -> "[" + j.id() + "] " + j.kind().name().toLowerCase() + " of " + j.database()
          + " recorded as failed: " + j.errorMessage()));
      return history.read();
    }, false).map(all -> {
      all.subList(Math.max(0, all.size() - limit), all.size()).forEach(j -> jobs.put(j.id(), j));
      vertx.eventBus().<Messages.JobUpdate>consumer(Addresses.JOB_UPDATE, m -> update(m.body().job()));
      vertx.eventBus().<Messages.JobsQuery>consumer(Addresses.JOBS_QUERY, m -> m.reply(query(m.body())));
      vertx.eventBus().<Messages.Flush>consumer(Addresses.JOBS_FLUSH,
          m -> writes.onComplete(x -> m.reply(new Messages.Flushed())));
      return null;
    });
  }

  private void update(Job job) {
    Job before = jobs.remove(job.id());
    jobs.put(job.id(), job);
    while (jobs.size() > limit) {
      jobs.remove(jobs.keySet().iterator().next());
    }
    if (before == null || before.state() != job.state()) {
      // Appends are chained so the file keeps the order of the transitions.
      writes = writes.compose(v -> io.<Void>executeBlocking(() -> {
        history.append(job);
        return null;
      }, false)).recover(e -> {
        LOG.severe(() -> "[" + job.id() + "] " + e.getMessage());
        return Future.succeededFuture();
      });
    }
    vertx.eventBus().publish(Addresses.JOB_EVENTS, new Messages.JobUpdate(job));
  }

  private Messages.JobList query(Messages.JobsQuery q) {
    List<Job> out = new ArrayList<>();
    for (Job j : jobs.values()) {
      if ((q.database() == null || q.database().equals(j.database())) && (!q.activeOnly() || !j.state().done())) {
        out.add(j);
      }
    }
    out.sort(Comparator.comparing(Job::created).reversed());
    return new Messages.JobList(q.limit() > 0 && out.size() > q.limit() ? out.subList(0, q.limit()) : out);
  }

  @Override
  public Future<?> stop() {
    Promise<Void> p = Promise.promise();
    writes.onComplete(ar -> p.complete());
    return p.future();
  }
}
