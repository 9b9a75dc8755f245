package dev.cairn.http;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An API error: an HTTP status and a stable code, sent as {@code {"error":{"code","message","hint"}}}.
 * Codes are the engine's {@link ErrorCode} names, plus a few that only the API has (authentication,
 * routing, limits): see {@link #status(ErrorCode)} and docs/http-api.md. Never carries a stack trace.
 */
final class ApiError extends RuntimeException {
  private static final Logger LOG = Logger.getLogger("cairn.http");

  // Codes only the API has.
  static final String UNAUTHENTICATED = "UNAUTHENTICATED";
  static final String FORBIDDEN = "FORBIDDEN";
  static final String NOT_FOUND = "NOT_FOUND";
  static final String DATABASE_NOT_FOUND = "DATABASE_NOT_FOUND";
  static final String JOB_NOT_FOUND = "JOB_NOT_FOUND";
  static final String METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED";
  static final String IN_USE = "IN_USE";
  static final String BACKUP_EXISTS = "BACKUP_EXISTS";
  static final String JOB_FINISHED = "JOB_FINISHED";
  static final String BODY_TOO_LARGE = "BODY_TOO_LARGE";
  static final String UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";
  static final String RANGE_NOT_SATISFIABLE = "RANGE_NOT_SATISFIABLE";
  static final String RATE_LIMITED = "RATE_LIMITED";
  static final String UNAVAILABLE = "UNAVAILABLE";

  /** The key under which the error code of a failed request is kept in the routing context (for the audit log). */
  static final String CODE_KEY = "cairn.error";

  private final int status;
  private final String code;
  private final String hint;
  private final Map<String, String> headers = new LinkedHashMap<>();

  ApiError(int status, String code, String message, String hint) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }

  ApiError(int status, String code, String message) {
    this(status, code, message, null);
  }

  static ApiError usage(String message) {
    return new ApiError(400, ErrorCode.USAGE.name(), message);
  }

  ApiError header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }

  /** The HTTP status of an engine error code. */
  static int status(ErrorCode c) {
    return switch (c) {
      case USAGE, CONFIG, CONNINFO -> 400;
      case BACKUP_NOT_FOUND -> 404;
      case RESTORE_TARGET_NOT_EMPTY, RESTORE_PRECONDITION, CANCELLED, REPO_LOCKED, BACKUP_IN_USE, BACKUP_EXISTS,
          BACKUP_ID_CONFLICT -> 409;
      case ARCHIVE_CORRUPT, ARCHIVE_KEY, RESTORE_MISMATCH -> 422;
      case DB_CONNECT, DB_AUTH, DB_QUERY, PERMISSION_DENIED, LOCK_TIMEOUT, COPY_FAILED, NOTIFY_FAILED, REPO_AUTH,
          REPO_NOT_FOUND, REPO_CLOCK_SKEW -> 502;
      case PG_DUMP_VERSION, PG_DUMP_FAILED, PG_RESTORE_FAILED, REPO_READ, REPO_WRITE, INTERNAL -> 500;
    };
  }

  /** Any failure as an API error; unexpected ones are logged with their stack trace and answered without it. */
  static ApiError from(Throwable t) {
    if (t instanceof ApiError a) {
      return a;
    }
    if (t instanceof CairnException c) {
      if (c.code() == ErrorCode.INTERNAL) {
        LOG.log(Level.SEVERE, "internal error: " + c.getMessage(), c);
      }
      return new ApiError(status(c.code()), c.code().name(), c.getMessage(), c.hint());
    }
    if (t instanceof ReplyException r) {
      if (r.failureType() == ReplyFailure.TIMEOUT) {
        return new ApiError(503, UNAVAILABLE, "the agent did not answer in time: " + r.getMessage());
      }
      if (r.failureType() == ReplyFailure.NO_HANDLERS) {
        return new ApiError(503, UNAVAILABLE, "the agent is not ready or is stopping");
      }
      return switch (r.failureCode()) {
        case 404 -> new ApiError(404, NOT_FOUND, r.getMessage());
        case 409 -> new ApiError(409, IN_USE, r.getMessage());
        case 503 -> new ApiError(503, UNAVAILABLE, r.getMessage());
        default -> new ApiError(500, ErrorCode.INTERNAL.name(), r.getMessage());
      };
    }
    LOG.log(Level.SEVERE, "internal error", t);
    return new ApiError(500, ErrorCode.INTERNAL.name(), "internal error (the agent's log has the details)");
  }

  /** The error for a status the router or a vertx-web handler failed with (no exception of ours). */
  static ApiError ofStatus(int status) {
    return switch (status) {
      case 400 -> usage("bad request");
      case 401 -> new ApiError(401, UNAUTHENTICATED, "authentication required");
      case 403 -> new ApiError(403, FORBIDDEN, "forbidden");
      case 404 -> new ApiError(404, NOT_FOUND, "no such endpoint; GET /api/v1/openapi.yaml lists them");
      case 405 -> new ApiError(405, METHOD_NOT_ALLOWED, "method not allowed on this path");
      case 413 -> new ApiError(413, BODY_TOO_LARGE, "request body too large");
      case 415 -> new ApiError(415, UNSUPPORTED_MEDIA_TYPE, "send the body as application/json");
      default -> status >= 400 && status < 500 ? new ApiError(status, ErrorCode.USAGE.name(), "bad request")
          : new ApiError(500, ErrorCode.INTERNAL.name(), "internal error (the agent's log has the details)");
    };
  }

  /** Ends the response with this error (unless it has already been ended). */
  void send(RoutingContext rc) {
    rc.put(CODE_KEY, code);
    if (rc.response().ended() || rc.response().headWritten()) {
      if (!rc.response().ended()) {
        rc.response().reset();
      }
      return;
    }
    JsonObject err = new JsonObject().put("code", code).put("message", getMessage());
    if (hint != null) {
      err.put("hint", hint);
    }
    var resp = rc.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
        .putHeader("cache-control", "no-store");
    headers.forEach(resp::putHeader);
    resp.end(new JsonObject().put("error", err).encode());
  }
}
