package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Bus;
import dev.cairn.bus.Messages;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import dev.cairn.copy.Placement;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.List;
import java.util.Locale;

/**
 * /api/v1/schedules (the databases' and the PITR clusters'), /api/v1/stats, /api/v1/retention/run and each
 * database's retention preview.
 */
final class AgentApi {
  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;
  private final JobsApi jobs;
  private final Clock clock;

  AgentApi(Vertx vertx, Placement placement, WorkerExecutor io, JobsApi jobs, Clock clock) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
    this.jobs = jobs;
    this.clock = clock;
  }

  /**
   * Every database's schedules, per kind, with the last and the running job of that kind; then each PITR cluster's
   * restore-test schedule (kind pitr-test, {@code cluster} instead of {@code database}), with its last test.
   */
  void schedules(RoutingContext rc) {
    Input.query(rc, List.of());
    Future<Messages.ScheduleList> schedules = vertx.eventBus()
        .<Messages.ScheduleList>request(Addresses.SCHEDULES_QUERY, new Messages.ScheduleQuery()).map(m -> m.body());
    Future<JsonArray> pitr = vertx.eventBus().<JsonObject>request(Addresses.PITR_SCHEDULES, null)
        .map(m -> m.body().getJsonArray("schedules"))
        .recover(e -> e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
            ? Future.succeededFuture(new JsonArray()) : Future.failedFuture(e)); // no clusters configured here
    Future.all(schedules, jobs.jobs(null, false, 0), pitr).onComplete(Http.json(rc, 200, all -> {
      List<Job> js = all.resultAt(1);
      JsonArray out = new JsonArray();
      for (Messages.ScheduleInfo s : schedules.result().schedules()) {
        JsonArray next = new JsonArray();
        s.nextRuns().forEach(t -> next.add(t.toOffsetDateTime().toString()));
        Job last = js.stream().filter(j -> j.kind() == s.kind() && s.database().equals(j.database())
            && j.state().done()).findFirst().orElse(null); // newest first
        Job active = js.stream().filter(j -> j.kind() == s.kind() && s.database().equals(j.database())
            && !j.state().done()).reduce((a, b) -> b).orElse(null);
        out.add(new JsonObject().put("database", s.database()).put("kind", s.kind().name().toLowerCase(Locale.ROOT))
            .put("cron", new JsonArray(List.copyOf(s.expressions())))
            .put("timezone", s.timezone()).put("nextRuns", next)
            .put("lastRun", last == null ? null : last.toJson())
            .put("lastResult", last == null ? null : last.state().name().toLowerCase(Locale.ROOT))
            .put("active", active == null ? null : active.toJson()));
      }
      for (Object o : pitr.result()) {
        out.add(pitrTest((JsonObject) o));
      }
      return new JsonObject().put("schedules", out);
    }));
  }

  /**
   * A PITR restore-test schedule: the last test as GET /api/v1/pitr gives it (no job: the PITR verticle runs it),
   * its outcome named as a job's state (a test that ran out of time was cancelled), and a running one as active.
   */
  private static JsonObject pitrTest(JsonObject s) {
    JsonObject last = s.getJsonObject("lastTest");
    String result = last == null ? null : last.getBoolean("passed", false) ? "succeeded"
        : ErrorCode.CANCELLED.name().equals(last.getString("error_code")) ? "cancelled" : "failed";
    return new JsonObject().put("database", null).put("cluster", s.getString("cluster")).put("kind", "pitr-test")
        .put("cron", s.getJsonArray("cron")).put("timezone", s.getString("timezone"))
        .put("nextRuns", s.getJsonArray("nextRuns")).put("lastRun", last).put("lastResult", result)
        .put("active", s.getBoolean("running", false) ? new JsonObject().put("cluster", s.getString("cluster"))
            .put("state", "running") : null);
  }

  void stats(RoutingContext rc) {
    Input.query(rc, List.of());
    Future<List<Backups.Entry>> backups = io.executeBlocking(placement::list, false);
    // the first repository's: each one's is in GET /api/v1/repositories
    Future<java.util.OptionalLong> free = io.executeBlocking(() -> placement.repositories().all().get(0).repository()
        .storage().freeSpace(), false);
    Future.all(jobs.jobs(null, false, 0), backups, free).onComplete(Http.json(rc, 200, all -> {
      java.util.OptionalLong f = all.resultAt(2);
      JsonObject out = Stats.compute(all.resultAt(0), all.resultAt(1), clock.instant()).put("at", clock.instant().toString());
      out.getJsonObject("backups").put("freeBytes", f.isPresent() ? f.getAsLong() : null);
      return out;
    }));
  }

  /**
   * GET /api/v1/databases/{name}/retention-preview: what the policy keeps and deletes now, and which backups
   * the next scheduled backup will push out, each with its reasons.
   */
  void retentionPreview(RoutingContext rc) {
    Input.query(rc, List.of());
    String db = rc.pathParam("name");
    if (!Input.NAME.matcher(db).matches()) {
      throw ApiError.usage("\"" + Audit.clean(db) + "\" is not a database name");
    }
    vertx.eventBus().<Messages.ScheduleList>request(Addresses.SCHEDULES_QUERY, new Messages.ScheduleQuery())
        .map(m -> m.body().schedules().stream().filter(s -> s.database().equals(db) && s.kind() == Job.Kind.BACKUP)
            .findFirst()
            .flatMap(s -> s.nextRuns().stream().findFirst()).map(t -> t.toInstant()).orElse(null))
        .compose(next -> vertx.eventBus().<Messages.RetentionPreview>request(Addresses.RETENTION_PREVIEW,
            new Messages.RetentionPreviewRequest(db, next)).map(m -> m.body()))
        .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureCode() == 404
            ? new ApiError(404, ApiError.DATABASE_NOT_FOUND, r.getMessage()) : e))
        .onComplete(Http.json(rc, 200, p -> new JsonObject().put("database", p.database()).put("policy", p.policy())
            .put("timezone", p.zone()).put("backups", decisions(p.now()))
            .put("nextRun", p.nextRun() == null ? null : p.nextRun().toString())
            .put("nextDeletes", decisions(p.afterNext()))));
  }

  private static JsonArray decisions(List<Messages.RetentionDecision> ds) {
    JsonArray a = new JsonArray();
    ds.forEach(d -> a.add(new JsonObject().put("backupId", d.backupId()).put("keep", d.keep())
        .put("reasons", new JsonArray(List.copyOf(d.reasons())))));
    return a;
  }

  void retention(RoutingContext rc) {
    Input.query(rc, List.of());
    var body = Input.body(rc, List.of("dryRun", "database"));
    boolean dryRun = Input.bool(body, "dryRun", true);
    String db = Input.databaseField(body, false);
    rc.put(Audit.TARGET_KEY, (db == null ? "all" : db) + (dryRun ? "/dry-run" : ""));
    vertx.eventBus().<Messages.RetentionReport>request(Addresses.RETENTION_RUN,
            new Messages.RetentionRequest(db, dryRun, "api"), Bus.slow())
        .map(m -> m.body())
        .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureCode() == 404
            ? new ApiError(404, ApiError.DATABASE_NOT_FOUND, r.getMessage()) : e))
        .onComplete(Http.json(rc, 200, report -> {
          JsonArray decisions = new JsonArray();
          for (Messages.RetentionDecision d : report.decisions()) {
            JsonObject o = new JsonObject().put("database", d.database()).put("backupId", d.backupId())
                .put("keep", d.keep()).put("reasons", new JsonArray(List.copyOf(d.reasons()))).put("deleted", d.deleted());
            decisions.add(d.repository() == null ? o : o.put("repository", d.repository()));
          }
          return new JsonObject().put("dryRun", dryRun).put("job", report.job().toJson()).put("decisions", decisions);
        }));
  }
}
