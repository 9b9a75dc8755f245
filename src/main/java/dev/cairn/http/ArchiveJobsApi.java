package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.conn.ConnSpec;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.copy.Placement;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * POST /api/v1/backups/{id}/verify and /restore: jobs of the verify and restore verticles. The backup (and
 * for a restore the tables asked for) is checked first, on the io pool; the answer is 202 with the job.
 */
final class ArchiveJobsApi {
  static final List<String> RESTORE_FIELDS = List.of("target", "tables", "create", "clean", "globals");
  /** schema.table, as the CLI's --table and the manifest name tables. */
  static final Pattern TABLE = Pattern.compile("[^.\\p{Cntrl}]{1,63}\\.[^.\\p{Cntrl}]{1,63}");
  static final int MAX_TABLES = 10_000;
  static final int MAX_TARGET = 4096;

  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;

  ArchiveJobsApi(Vertx vertx, Placement placement, WorkerExecutor io) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
  }

  void verify(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.backupId(rc);
    Input.body(rc, List.of());
    rc.put(Audit.TARGET_KEY, id);
    io.executeBlocking(() -> placement.read(id), false) // BACKUP_NOT_FOUND; a damaged one is verified
        .compose(e -> vertx.eventBus().<Messages.JobAccepted>request(Addresses.VERIFY_REQUEST,
            new Messages.VerifyRequest(id, "api")))
        .map(m -> m.body())
        .recover(ArchiveJobsApi::refused)
        .onComplete(accepted(rc));
  }

  void restore(RoutingContext rc) {
    Input.query(rc, List.of());
    String id = Input.backupId(rc);
    JsonObject body = Input.body(rc, RESTORE_FIELDS);
    String target = Input.string(body, "target", true);
    boolean create = Boolean.TRUE.equals(Input.bool(body, "create", false));
    boolean clean = Boolean.TRUE.equals(Input.bool(body, "clean", false));
    boolean globals = Boolean.TRUE.equals(Input.bool(body, "globals", false));
    List<String> tables = tables(body);
    if (target.isEmpty() || target.length() > MAX_TARGET) {
      throw ApiError.usage("field \"target\" must be a configured database's name or a connection string (at most "
          + MAX_TARGET + " characters)");
    }
    boolean named = Input.NAME.matcher(target).matches();
    if (!named && !target.contains("=") && !target.startsWith("postgres://") && !target.startsWith("postgresql://")) {
      // Never echo it: it may be a connection string with a password in it.
      throw ApiError.usage("field \"target\" is neither a database name nor a connection string"
          + " (postgresql://... or key=value ...)");
    }
    if (named && create && !clean) {
      throw ApiError.usage("database " + target + " is configured, so it exists: restore into it while it is empty"
          + " (without \"create\"), or drop and recreate it with \"clean\": true");
    }
    rc.put(Audit.TARGET_KEY, id + (named ? " into " + target : ""));
    io.executeBlocking(() -> {
      Backups.Entry e = placement.read(id);
      if (!e.readable()) {
        throw new ApiError(422, ErrorCode.ARCHIVE_CORRUPT.name(), "backup " + id + " is damaged: " + e.damage(),
            "restore from another backup; verify this one to see every problem");
      }
      if (!e.good()) {
        throw new ApiError(422, ErrorCode.ARCHIVE_CORRUPT.name(), "backup " + id + " failed verification at "
            + e.verification().at() + ": " + e.verification().problem(),
            "restore from another backup, or verify this one again if the damage was repaired");
      }
      Set<String> known = new java.util.HashSet<>();
      e.manifest().tables().forEach(t -> known.add(t.qualifiedName()));
      for (String t : tables) {
        if (!known.contains(t)) {
          throw ApiError.usage("table " + Audit.clean(t) + " is not in backup " + id
              + " (GET /api/v1/backups/" + id + " lists its tables)");
        }
      }
      return named ? null : ConnSpec.parse(target); // reads PG* and ~/.pgpass: blocking
    }, false).compose(spec -> {
      if (spec != null) {
        rc.put(Audit.TARGET_KEY, id + " into " + spec.describe());
      }
      return vertx.eventBus().<Messages.JobAccepted>request(Addresses.RESTORE_REQUEST, new Messages.RestoreRequest(
          id, named ? target : null, spec, tables, create || clean, clean, globals, "api"));
    }).map(m -> m.body())
        .recover(ArchiveJobsApi::refused)
        .onComplete(accepted(rc));
  }

  private static List<String> tables(JsonObject body) {
    Object v = body.getValue("tables");
    if (v == null) {
      return List.of();
    }
    if (!(v instanceof JsonArray a)) {
      throw ApiError.usage("field \"tables\" must be an array of \"schema.table\" strings");
    }
    if (a.size() > MAX_TABLES) {
      throw ApiError.usage("field \"tables\" has more than " + MAX_TABLES + " entries");
    }
    Set<String> out = new LinkedHashSet<>();
    for (Object o : a) {
      if (!(o instanceof String s) || !TABLE.matcher(s).matches()) {
        throw ApiError.usage("field \"tables\": every entry must be a \"schema.table\" string, not "
            + (o instanceof String s ? "\"" + Audit.clean(s) + "\"" : String.valueOf(o instanceof JsonObject
                || o instanceof JsonArray ? o.getClass().getSimpleName() : o)));
      }
      if (!out.add(s)) {
        throw ApiError.usage("field \"tables\": " + Audit.clean(s) + " is given more than once");
      }
    }
    return new ArrayList<>(out);
  }

  static Future<Messages.JobAccepted> refused(Throwable e) {
    if (e instanceof ReplyException r && r.failureCode() == 404) {
      return Future.failedFuture(new ApiError(404, ApiError.DATABASE_NOT_FOUND, r.getMessage()));
    }
    if (e instanceof ReplyException r && r.failureCode() == 409) {
      return Future.failedFuture(new ApiError(409, ApiError.IN_USE, r.getMessage(),
          "wait for the running job to finish (GET /api/v1/jobs?active=true)"));
    }
    return Future.failedFuture(e);
  }

  static io.vertx.core.Handler<io.vertx.core.AsyncResult<Messages.JobAccepted>> accepted(RoutingContext rc) {
    return Http.json(rc, 202, a -> {
      rc.response().putHeader("Location", "/api/v1/jobs/" + a.job().id());
      return new JsonObject().put("job", a.job().toJson()).put("note", a.note());
    });
  }

}
