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
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Owns the job registry: every verticle that runs a job sends its state changes here
 * ({@link Addresses#JOB_UPDATE}); this verticle records state transitions in the repository's
 * {@link JobHistory}, republishes them as events and answers queries. Progress stays in memory.
 * A transition that cannot be recorded (a full disk) is kept and written again on the next change and
 * every {@link #RETRY} until it is, so no job stays "running" in the history after it ended.
 */
public final class JobsVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.jobs");

  private final JobHistory history;
  private final WorkerExecutor io;
  private final Clock clock;
  private final int limit;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  static final java.time.Duration RETRY = java.time.Duration.ofSeconds(30);
  private Future<Void> writes = Future.succeededFuture();
  /** Latest transitions not yet in the history, by job id, in order. Only touched on this verticle's context. */
  private final Map<String, Job> unwritten = new LinkedHashMap<>();
  private final long retryMillis;
  /** The last {@link #LOG_LINES} log lines of each job held, by job id. */
  private final Map<String, java.util.ArrayDeque<Messages.JobLogLine>> logs = new java.util.HashMap<>();
  static final int LOG_LINES = 40;
  static final int LOG_LINE_CHARS = 500;
  private JobLogCapture capture;

  public JobsVerticle(JobHistory history, WorkerExecutor io, Clock clock, int limit) {
    this(history, io, clock, limit, RETRY);
  }

  JobsVerticle(JobHistory history, WorkerExecutor io, Clock clock, int limit, java.time.Duration retry) {
    this.history = history;
    this.io = io;
    this.clock = clock;
    this.limit = limit;
    this.retryMillis = Math.max(1, retry.toMillis());
  }

  @Override
  public Future<?> start() {
    return io.executeBlocking(() -> {
      List<Job> stale = history.recoverInterrupted(clock.instant());
      stale.forEach(j -> LOG.warning(() -> "[" + j.id() + "] " + j.kind().name().toLowerCase(Locale.ROOT) + " of "
          + j.database() + " recorded as failed: " + j.errorMessage()));
      return Map.entry(history.read(), history.logs());
    }, false).map(read -> {
      List<Job> all = read.getKey();
      all.subList(Math.max(0, all.size() - limit), all.size()).forEach(j -> jobs.put(j.id(), j));
      read.getValue().forEach((id, lines) -> {
        if (jobs.containsKey(id)) {
          logs.put(id, new java.util.ArrayDeque<>(lines));
        }
      });
      vertx.eventBus().<Messages.JobLogLine>consumer(Addresses.JOB_LOG, m -> log(m.body()));
      vertx.eventBus().<Messages.JobDetailQuery>consumer(Addresses.JOB_DETAIL, m -> {
        Job j = jobs.get(m.body().jobId());
        if (j == null) {
          m.fail(404, "no job " + m.body().jobId());
        } else {
          m.reply(new Messages.JobDetail(j, List.copyOf(logs.getOrDefault(j.id(), new java.util.ArrayDeque<>()))));
        }
      });
      capture = new JobLogCapture(vertx);
      capture.install();
      vertx.eventBus().<Messages.JobUpdate>consumer(Addresses.JOB_UPDATE, m -> update(m.body().job()));
      vertx.eventBus().<Messages.JobsQuery>consumer(Addresses.JOBS_QUERY, m -> m.reply(query(m.body())));
      vertx.eventBus().<Messages.Flush>consumer(Addresses.JOBS_FLUSH,
          m -> writes.onComplete(x -> m.reply(new Messages.Flushed())));
      vertx.setPeriodic(retryMillis, t -> {
        if (!unwritten.isEmpty()) {
          persist();
        }
      });
      return null;
    });
  }

  private void update(Job job) {
    Job before = jobs.remove(job.id());
    jobs.put(job.id(), job);
    while (jobs.size() > limit) {
      logs.remove(jobs.keySet().iterator().next());
      jobs.remove(jobs.keySet().iterator().next());
    }
    if (before == null || before.state() != job.state()) {
      unwritten.put(job.id(), job);
      persist();
    }
    vertx.eventBus().publish(Addresses.JOB_EVENTS, new Messages.JobUpdate(job));
  }

  /** Appends every unwritten transition; chained so the file keeps the order of the transitions. */
  private void persist() {
    writes = writes.compose(v -> {
      List<Job> batch = new ArrayList<>(unwritten.values());
      if (batch.isEmpty()) {
        return Future.<Void>succeededFuture();
      }
      // a finished job's final line carries its log lines; the job's later lines (none) would not
      List<List<Messages.JobLogLine>> batchLogs = batch.stream().map(j -> j.state().done()
          ? List.copyOf(logs.getOrDefault(j.id(), new java.util.ArrayDeque<>())) : List.<Messages.JobLogLine>of()).toList();
      return io.<Void>executeBlocking(() -> {
        for (int i = 0; i < batch.size(); i++) {
          history.append(batch.get(i), batchLogs.get(i));
        }
        return null;
      }, false).map(x -> {
        batch.forEach(j -> unwritten.remove(j.id(), j));
        return (Void) null;
      }).recover(e -> {
        LOG.severe(() -> "job history: " + e.getMessage() + " (" + unwritten.size() + " job change(s) kept, written"
            + " again on the next change and every " + retryMillis / 1000 + " s)");
        return Future.succeededFuture();
      });
    });
  }

  /** Keeps a job's line, bounded in count and length; a line for a job not held is dropped. */
  private void log(Messages.JobLogLine l) {
    if (!jobs.containsKey(l.jobId())) {
      return;
    }
    String msg = l.message().length() > LOG_LINE_CHARS ? l.message().substring(0, LOG_LINE_CHARS) + "…" : l.message();
    java.util.ArrayDeque<Messages.JobLogLine> q = logs.computeIfAbsent(l.jobId(), k -> new java.util.ArrayDeque<>());
    q.addLast(new Messages.JobLogLine(l.jobId(), l.at(), l.level(), msg));
    while (q.size() > LOG_LINES) {
      q.removeFirst();
    }
  }

  private Messages.JobList query(Messages.JobsQuery q) {
    List<Job> out = new ArrayList<>();
    for (Job j : jobs.values()) {
      if ((q.database() == null || q.database().equals(j.database())) && (!q.activeOnly() || !j.state().done())
          && (q.kind() == null || q.kind().equals(j.kind().name().toLowerCase(Locale.ROOT)))
          && (q.state() == null || q.state().equals(j.state().name().toLowerCase(Locale.ROOT)))
          && (q.before() == null || j.created().isBefore(q.before()))) {
        out.add(j);
      }
    }
    out.sort(Comparator.comparing(Job::created).reversed());
    return new Messages.JobList(q.limit() > 0 && out.size() > q.limit() ? out.subList(0, q.limit()) : out);
  }

  @Override
  public Future<?> stop() {
    if (capture != null) {
      capture.remove();
    }
    Promise<Void> p = Promise.promise();
    writes.onComplete(ar -> p.complete());
    return p.future();
  }
}
