package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Verification;
import dev.cairn.copy.Placement;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * GET /metrics: the agent's state in the Prometheus text format, from a Micrometer registry owned by the
 * HTTP verticle (docs/http-api.md lists the metrics). Repository values come from {@link Backups#list} on
 * the io pool and job counts from the jobs verticle, both cached for {@link #TTL} (a finished job or a
 * published backup makes the next scrape refresh); the failures counter counts failed backup jobs from
 * the published job events since the agent started. Everything runs on the HTTP verticle's event loop, and
 * nothing blocks it.
 */
final class Metrics {
  static final Duration TTL = Duration.ofSeconds(5);
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  private static final int SEEN_FAILURES = 1000;

  /** What the gauges show: one consistent reading of the repository and the jobs. */
  private record Snapshot(Map<String, Db> databases, long repositoryBytes, Map<Job.Kind, Map<Job.State, Integer>> jobs) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), 0, Map.of());

    Db db(String name) {
      return databases.getOrDefault(name, Db.NONE);
    }

    int jobs(Job.Kind kind, Job.State state) {
      return jobs.getOrDefault(kind, Map.of()).getOrDefault(state, 0);
    }
  }

  private record Db(double lastSuccessSeconds, double lastDurationSeconds, double lastSizeBytes, int kept,
      boolean healthy, int failedVerification, double lastVerifiedSeconds) {
    static final Db NONE = new Db(0, 0, 0, 0, false, 0, 0);
  }

  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;
  private final Map<String, Duration> maxAge;
  private final Clock clock;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, Counter> failures = new HashMap<>();
  private final Set<String> failedJobs = new LinkedHashSet<>();
  private volatile Snapshot snapshot = Snapshot.EMPTY;
  private long refreshedAt = Long.MIN_VALUE;
  private boolean stale = true;
  private Future<Void> refreshing;

  Metrics(Vertx vertx, Placement placement, WorkerExecutor io, Map<String, Duration> maxAge, Clock clock) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
    this.maxAge = maxAge;
    this.clock = clock;
    for (String db : maxAge.keySet()) {
      gauge("cairn.backup.last.success.timestamp.seconds", db,
          "finish time of the newest good backup, Unix seconds (0: none yet)", s -> s.db(db).lastSuccessSeconds());
      gauge("cairn.backup.last.duration.seconds", db, "how long the newest good backup took",
          s -> s.db(db).lastDurationSeconds());
      gauge("cairn.backup.last.size.bytes", db, "archive size of the newest good backup",
          s -> s.db(db).lastSizeBytes());
      gauge("cairn.backups.kept", db, "good backups in the repository", s -> s.db(db).kept());
      gauge("cairn.backups.failed.verification", db, "backups whose verification found damage (never restored)",
          s -> s.db(db).failedVerification());
      gauge("cairn.backup.last.verified.timestamp.seconds", db,
          "when the newest good backup was last verified, Unix seconds (0: not verified)",
          s -> s.db(db).lastVerifiedSeconds());
      gauge("cairn.database.healthy", db, "1 when the newest good backup is younger than max_age (as /api/v1/health)",
          s -> s.db(db).healthy() ? 1 : 0);
      failures.put(db, Counter.builder("cairn.backup.failures").tag("database", db)
          .description("backup jobs that failed since the agent started").register(registry));
    }
    Gauge.builder("cairn.repository.bytes", this, m -> m.snapshot.repositoryBytes())
        .description("bytes of all archives in the repository").strongReference(true).register(registry);
    for (Job.Kind kind : Job.Kind.values()) {
      for (Job.State state : Job.State.values()) {
        Gauge.builder("cairn.jobs", this, m -> m.snapshot.jobs(kind, state))
            .tag("kind", kind.name().toLowerCase(Locale.ROOT)).tag("state", state.name().toLowerCase(Locale.ROOT))
            .description("jobs the agent holds (its last history_limit), by kind and state")
            .strongReference(true).register(registry);
      }
    }
  }

  private void gauge(String name, String db, String help, ToDoubleFunction<Snapshot> value) {
    Gauge.builder(name, this, m -> value.applyAsDouble(m.snapshot)).tag("database", db).description(help)
        .strongReference(true).register(registry);
  }

  /** For other gauges served by the same scrape (per repository, restore tests). */
  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Call on the owning verticle's context: listens for job events and published backups. */
  void listen() {
    vertx.eventBus().<Messages.JobUpdate>consumer(Addresses.JOB_EVENTS, m -> onJob(m.body().job()));
    vertx.eventBus().<Messages.BackupPublished>consumer(Addresses.BACKUP_PUBLISHED, m -> stale = true);
    vertx.eventBus().<Messages.NotificationOutcome>consumer(Addresses.NOTIFY_OUTCOME, m -> notified(m.body()));
  }

  /** cairn_notifications_sent_total / cairn_notifications_failed_total, by sink and its kind. */
  private void notified(Messages.NotificationOutcome o) {
    Counter.builder(o.delivered() ? "cairn.notifications.sent" : "cairn.notifications.failed").tag("sink", o.sink())
        .tag("kind", o.kind()).description(o.delivered() ? "notifications delivered, by sink"
            : "notifications given up (final error, retries used up or queue full), by sink")
        .register(registry).increment();
  }

  private void onJob(Job job) {
    if (!job.state().done()) {
      if (job.state() == Job.State.QUEUED) {
        stale = true;
      }
      return;
    }
    stale = true;
    if (job.kind() == Job.Kind.BACKUP && job.state() == Job.State.FAILED && failedJobs.add(job.id())) {
      if (failedJobs.size() > SEEN_FAILURES) {
        failedJobs.remove(failedJobs.iterator().next());
      }
      Counter c = failures.get(job.database());
      if (c != null) {
        c.increment();
      }
    }
  }

  void handle(RoutingContext rc) {
    current().onComplete(ar -> {
      if (rc.response().ended()) {
        return;
      }
      if (ar.failed()) {
        ApiError.from(ar.cause()).send(rc);
        return;
      }
      rc.response().setStatusCode(200).putHeader("content-type", CONTENT_TYPE).putHeader("cache-control", "no-store")
          .end(registry.scrape());
    });
  }

  /** The snapshot, refreshed when older than the TTL or made stale by an event; one refresh at a time. */
  private Future<Void> current() {
    if (refreshing != null) {
      return refreshing;
    }
    long now = System.nanoTime();
    if (!stale && now - refreshedAt < TTL.toNanos()) {
      return Future.succeededFuture();
    }
    stale = false;
    Future<Void> f = refresh().andThen(ar -> {
      refreshing = null;
      if (ar.succeeded()) {
        refreshedAt = now;
      } else {
        stale = true;
      }
    });
    // andThen may already have run if refresh() completed synchronously
    if (!f.isComplete()) {
      refreshing = f;
    }
    return f;
  }

  private Future<Void> refresh() {
    Future<Map<String, Object>> repository = io.executeBlocking(() -> {
      List<Backups.Entry> backups = placement.list();
      Instant now = clock.instant();
      JsonObject health = Health.evaluate(backups, maxAge, now).json();
      Map<String, Object> out = new HashMap<>();
      out.put("backups", backups);
      out.put("health", health);
      return out;
    }, false);
    Future<Messages.JobList> jobs = vertx.eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY,
        new Messages.JobsQuery(null, false, 0)).map(m -> m.body());
    return Future.all(repository, jobs).map(x -> {
      snapshot = build(repository.result(), jobs.result().jobs());
      return null;
    });
  }

  @SuppressWarnings("unchecked")
  private Snapshot build(Map<String, Object> read, List<Job> jobs) {
    List<Backups.Entry> backups = (List<Backups.Entry>) read.get("backups");
    JsonObject health = (JsonObject) read.get("health");
    Instant now = clock.instant();
    Map<String, Boolean> healthy = new HashMap<>();
    health.getJsonArray("databases").forEach(o -> {
      JsonObject d = (JsonObject) o;
      healthy.put(d.getString("database"), d.getBoolean("ok"));
    });
    long bytes = 0;
    Map<String, Db> dbs = new HashMap<>();
    for (Backups.Entry e : backups) {
      bytes += e.bytes();
    }
    for (String db : maxAge.keySet()) {
      Backups.Entry newest = null;
      int kept = 0;
      int failed = 0;
      for (Backups.Entry e : backups) { // newest first
        failed += e.readable() && !e.good() && db.equals(e.name()) ? 1 : 0;
        if (e.good() && db.equals(e.name()) && !Latest.fromTheFuture(e, now)) {
          kept++;
          if (newest == null) {
            newest = e;
          }
        }
      }
      boolean ok = healthy.getOrDefault(db, false);
      dbs.put(db, newest == null ? new Db(0, 0, 0, 0, ok, failed, 0) : new Db(
          newest.summary().finished().toEpochMilli() / 1000.0,
          Duration.between(newest.summary().started(), newest.summary().finished()).toMillis() / 1000.0,
          newest.bytes(), kept, ok, failed, newest.verification().state().good()
              ? newest.verification().at().toEpochMilli() / 1000.0 : 0));
    }
    Map<Job.Kind, Map<Job.State, Integer>> counts = new EnumMap<>(Job.Kind.class);
    for (Job j : jobs) {
      counts.computeIfAbsent(j.kind(), k -> new EnumMap<>(Job.State.class)).merge(j.state(), 1, Integer::sum);
    }
    return new Snapshot(dbs, bytes, counts);
  }
}
