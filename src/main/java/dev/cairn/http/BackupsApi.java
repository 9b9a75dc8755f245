package dev.cairn.http;

import dev.cairn.archive.Manifest;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Backups;
import dev.cairn.copy.Placement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * /api/v1/backups: list, show, start, delete. Every backup of every repository is listed once, with where it is
 * ({@code copies}); show and delete act on the first repository of its database's list that holds it. File
 * system work runs on the io pool.
 */
final class BackupsApi {
  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;
  private final Checksums checksums;
  private final RepositoriesView where;

  BackupsApi(Vertx vertx, Placement placement, WorkerExecutor io, Checksums checksums, RepositoriesView where) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
    this.checksums = checksums;
    this.where = where;
  }

  /** {@code copies} null: a single repository, where a backup's place goes without saying. */
  private record Listed<T>(T value, Map<String, List<RepositoriesView.Copy>> copies) {}

  private static JsonObject withCopies(JsonObject o, Map<String, List<RepositoriesView.Copy>> copies, String id) {
    return copies == null ? o : o.put("copies", RepositoriesView.json(copies.get(id)));
  }

  void list(RoutingContext rc) {
    Input.query(rc, List.of("database"));
    String db = Input.databaseParam(rc);
    io.executeBlocking(() -> new Listed<>(placement.list(), where.several() ? where.locations() : null), false)
        .onComplete(Http.json(rc, 200, l -> {
          JsonArray a = new JsonArray();
          for (Backups.Entry e : l.value()) {
            if (db == null || db.equals(e.name())) {
              a.add(withCopies(summary(e), l.copies(), e.id()));
            }
          }
          return new JsonObject().put("backups", a);
        }));
  }

  static JsonObject summary(Backups.Entry e) {
    JsonObject o = new JsonObject().put("id", e.id()).put("database", e.name())
        .put("status", e.status()).put("verification", e.verification().toJson());
    if (e.readable()) {
      BackupCatalog.Summary m = e.summary();
      o.put("started", m.started().toString()).put("finished", m.finished().toString()).put("bytes", e.bytes())
          .put("tables", m.tables()).put("rows", m.rows());
    } else {
      o.put("started", null).put("finished", null).put("bytes", e.bytes()).put("tables", null).put("rows", null)
          .put("damage", e.damage());
    }
    return o;
  }

  void show(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.backupId(rc);
    io.executeBlocking(() -> new Listed<>(placement.read(id), where.several() ? Map.of(id, where.location(id)) : null),
        false).onComplete(Http.json(rc, 200, l -> withCopies(detail(l.value()), l.copies(), id)));
  }

  /** GET /backups/{id}: the summary plus the manifest's details and each table. */
  static JsonObject detail(Backups.Entry e) {
    JsonObject o = summary(e);
    if (e.manifest() != null) {
      Manifest m = e.manifest();
      o.put("sourceDatabase", m.database()).put("durationSeconds",
              Duration.between(m.started(), m.finished()).toMillis() / 1000.0)
          .put("rawBytes", m.totalRawBytes()).put("serverVersion", m.serverVersion())
          .put("pgDumpVersion", m.pgDumpVersion()).put("encoding", m.encoding())
          .put("snapshotTime", m.snapshotTime().toString()).put("toolVersion", m.toolVersion())
          .put("sequences", m.sequences().size()).put("materializedViews", m.matviews().size())
          .put("content", m.content().label())
          .put("globals", m.globals() == null ? null : new JsonObject()
              .put("rolePasswords", m.globals().rolePasswords())
              .put("pgDumpallVersion", m.globals().pgDumpallVersion()));
      JsonArray tables = new JsonArray();
      for (Manifest.Table t : m.tables()) {
        tables.add(new JsonObject().put("schema", t.schema()).put("name", t.name()).put("rows", t.rows())
            .put("rawBytes", t.parts().stream().mapToLong(Manifest.Part::rawBytes).sum())
            .put("parts", t.parts().size()));
      }
      o.put("tables", tables).put("tableCount", m.tables().size());
    }
    return o;
  }

  void create(RoutingContext rc) {
    Input.query(rc, List.of());
    String db = Input.databaseField(Input.body(rc, List.of("database")), true);
    rc.put(Audit.TARGET_KEY, db);
    vertx.eventBus().<Messages.JobAccepted>request(Addresses.BACKUP_REQUEST, new Messages.BackupRequest(db, "api"))
        .map(m -> m.body())
        .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureCode() == 404
            ? new ApiError(404, ApiError.DATABASE_NOT_FOUND, r.getMessage()) : e))
        .onComplete(Http.json(rc, 202, a -> {
          rc.response().putHeader("Location", "/api/v1/jobs/" + a.job().id());
          return new JsonObject().put("job", a.job().toJson()).put("note", a.note());
        }));
  }

  void delete(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.backupId(rc);
    vertx.eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY, new Messages.JobsQuery(null, true, 0))
        .compose(m -> {
          String job = m.body().inUse().get(id);
          if (job != null) {
            return Future.failedFuture(new ApiError(409, ApiError.IN_USE, "backup " + id + " is in use by running job "
                + job + "; not deleted", "wait for the job to finish, or cancel it with DELETE /api/v1/jobs/" + job));
          }
          return io.executeBlocking(() -> {
            placement.holder(id).repository().delete(id);
            checksums.forget(id);
            return id;
          }, false);
        })
        .onComplete(Http.json(rc, 200, deleted -> new JsonObject().put("deleted", deleted)));
  }
}
