package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.error.ErrorCode;
import dev.cairn.restoretest.RestoreTestLog;
import dev.cairn.restoretest.RestoreTestResult;
import dev.cairn.storage.Backups;
import dev.cairn.copy.Placement;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;

/**
 * POST /api/v1/backups/{id}/test (a restore test job of the restore-test verticle, 202 with the job) and
 * GET /api/v1/restore-tests (the recent tests of every database with {@code restore_test}, newest first).
 */
final class RestoreTestsApi {
  static final int DEFAULT_LIMIT = 10;

  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;
  private final Set<String> databases;

  RestoreTestsApi(Vertx vertx, Placement placement, WorkerExecutor io, Set<String> databases) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
    this.databases = databases;
  }

  void test(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.backupId(rc);
    Input.body(rc, List.of());
    rc.put(Audit.TARGET_KEY, id);
    io.executeBlocking(() -> {
      Backups.Entry e = placement.read(id);
      if (!e.good()) {
        throw new ApiError(422, ErrorCode.ARCHIVE_CORRUPT.name(), "backup " + id + " is "
            + (e.readable() ? "failed verification: " + e.verification().problem() : "damaged: " + e.damage()),
            "test another backup; verify this one to see every problem");
      }
      return e;
    }, false).compose(e -> vertx.eventBus().<Messages.JobAccepted>request(Addresses.RESTORE_TEST_REQUEST,
            new Messages.RestoreTestRequest(id, "api")))
        .map(m -> m.body())
        .recover(ArchiveJobsApi::refused)
        .onComplete(ArchiveJobsApi.accepted(rc));
  }

  void list(RoutingContext rc) {
    Input.query(rc, List.of("database", "limit"));
    String only = Input.databaseParam(rc);
    int limit = Input.intParam(rc, "limit", DEFAULT_LIMIT, 1, RestoreTestLog.KEEP);
    if (only != null && !databases.contains(only)) {
      throw new ApiError(404, ApiError.DATABASE_NOT_FOUND, "database " + only + " has no restore_test in the"
          + " configuration");
    }
    io.executeBlocking(() -> {
      JsonArray out = new JsonArray();
      for (String db : databases.stream().sorted().toList()) {
        if (only != null && !only.equals(db)) {
          continue;
        }
        List<RestoreTestResult> tests = RestoreTestLog.read(placement.receiving(db).repository(), db);
        JsonArray a = new JsonArray();
        tests.stream().limit(limit).forEach(t -> a.add(t.toJson()));
        out.add(new JsonObject().put("database", db).put("last", tests.isEmpty() ? null : tests.get(0).toJson())
            .put("tests", a));
      }
      return out;
    }, false).onComplete(Http.json(rc, 200, a -> new JsonObject().put("databases", a)));
  }
}
