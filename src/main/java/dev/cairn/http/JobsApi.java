package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.jobs.Job;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;

/**
 * /api/v1/jobs: the jobs verticle's registry (recent jobs, newest first), and cancelling backup, verify and
 * restore jobs through the verticle that runs each kind.
 */
final class JobsApi {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private final Vertx vertx;

  JobsApi(Vertx vertx) {
    this.vertx = vertx;
  }

  static final List<String> KINDS = List.of("backup", "retention", "verify", "restore", "copy");
  static final List<String> STATES = List.of("queued", "running", "succeeded", "failed", "cancelled");

  /**
   * Newest first, filtered; a page ends with {@code next}, the {@code before} of the next page (null on the
   * last), so thousands of jobs are read a page at a time.
   */
  void list(RoutingContext rc) {
    Input.query(rc, List.of("database", "active", "limit", "kind", "status", "before"));
    String db = Input.databaseParam(rc);
    Boolean active = Input.boolParam(rc, "active");
    int limit = Input.intParam(rc, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    String kind = Input.choiceParam(rc, "kind", KINDS);
    String status = Input.choiceParam(rc, "status", STATES);
    java.time.Instant before = Input.instantParam(rc, "before");
    vertx.eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY,
            new Messages.JobsQuery(db, active != null && active, limit + 1, kind, status, before))
        .map(m -> m.body().jobs()).onComplete(Http.json(rc, 200, jobs -> {
          JsonArray a = new JsonArray();
          jobs.stream().limit(limit).forEach(j -> a.add(j.toJson()));
          String next = jobs.size() > limit ? jobs.get(limit - 1).created().toString() : null;
          return new JsonObject().put("jobs", a).put("next", next);
        }));
  }

  /** One job, with its last log lines ({@code log}: at, level, message), kept also across restarts. */
  void show(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.jobId(rc);
    vertx.eventBus().<Messages.JobDetail>request(Addresses.JOB_DETAIL, new Messages.JobDetailQuery(id))
        .map(m -> m.body())
        .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureCode() == 404
            ? new ApiError(404, ApiError.JOB_NOT_FOUND, "no job " + id
                + " (the agent remembers the last agent.history_limit jobs)") : e))
        .onComplete(Http.json(rc, 200, d -> {
          JsonArray log = new JsonArray();
          d.log().forEach(l -> log.add(new JsonObject().put("at", l.at().toString()).put("level", l.level())
              .put("message", l.message())));
          return d.job().toJson().put("log", log);
        }));
  }

  void cancel(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.jobId(rc);
    find(id).compose(j -> {
      if (j.state().done()) {
        return Future.failedFuture(new ApiError(409, ApiError.JOB_FINISHED, "job " + id + " has already "
            + j.state().name().toLowerCase(Locale.ROOT) + "; nothing to cancel"));
      }
      String address = cancelAddress(j.kind());
      if (address == null) {
        return Future.failedFuture(new ApiError(409, ApiError.IN_USE, "job " + id + " is a retention job, which"
            + " cannot be cancelled: it is short, and it deletes each backup with one atomic file removal, so there"
            + " is never a half-deleted backup to stop at"));
      }
      return vertx.eventBus().<Messages.JobAccepted>request(address, new Messages.CancelJob(id))
          .map(m -> m.body())
          .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureCode() == 404
              ? new ApiError(409, ApiError.JOB_FINISHED, "job " + id + " finished before it could be cancelled") : e));
    }).onComplete(Http.json(rc, 202, a -> new JsonObject().put("job", a.job().toJson()).put("note", a.note())));
  }

  /** Where jobs of this kind are cancelled (the verticle that runs them); null: retention is not cancellable. */
  private static String cancelAddress(Job.Kind kind) {
    return switch (kind) {
      case BACKUP -> Addresses.BACKUP_CANCEL;
      case VERIFY -> Addresses.VERIFY_CANCEL;
      case RESTORE -> Addresses.RESTORE_CANCEL;
      case TEST -> Addresses.RESTORE_TEST_CANCEL;
      case COPY -> Addresses.COPY_CANCEL;
      case RETENTION -> null;
    };
  }

  Future<List<Job>> jobs(String database, boolean activeOnly, int limit) {
    return vertx.eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY,
        new Messages.JobsQuery(database, activeOnly, limit)).map(m -> m.body().jobs());
  }

  private Future<Job> find(String id) {
    return jobs(null, false, 0).compose(all -> all.stream().filter(j -> j.id().equals(id)).findFirst()
        .map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new ApiError(404, ApiError.JOB_NOT_FOUND, "no job " + id
            + " (the agent remembers the last agent.history_limit jobs)"))));
  }
}
