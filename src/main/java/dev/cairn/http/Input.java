package dev.cairn.http;

import dev.cairn.storage.Repository;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Strict request input: ids checked against their patterns before anything touches the file system, JSON
 * bodies that must be objects with known fields of the right types, query parameters that must be known
 * and given once. Every refusal is a 400 USAGE error that names the problem.
 */
final class Input {
  private Input() {}

  /** Job ids as {@link dev.cairn.jobs.Job#queued} makes them. */
  static final Pattern JOB_ID = Pattern.compile("j-\\d{8}T\\d{6}-[0-9a-f]{4}");
  /** Configured database names (the name part of backup ids). */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

  static String backupId(RoutingContext rc) {
    String id = rc.pathParam("id");
    if (id == null || !Repository.ID.matcher(id).matches()) {
      throw ApiError.usage("\"" + Audit.clean(id) + "\" is not a backup id (they look like app-20260101T020000Z)");
    }
    return id;
  }

  static String jobId(RoutingContext rc) {
    String id = rc.pathParam("id");
    if (id == null || !JOB_ID.matcher(id).matches()) {
      throw ApiError.usage("\"" + Audit.clean(id) + "\" is not a job id (they look like j-20260101T020000-1a2b)");
    }
    return id;
  }

  /** Whether every % in a raw path starts a valid %XX escape (else the path cannot be decoded: 400). */
  static boolean wellEncoded(String rawPath) {
    for (int i = rawPath.indexOf('%'); i >= 0; i = rawPath.indexOf('%', i + 1)) {
      if (i + 2 >= rawPath.length() || Character.digit(rawPath.charAt(i + 1), 16) < 0
          || Character.digit(rawPath.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** Refuses unknown and repeated query parameters. */
  static void query(RoutingContext rc, List<String> known) {
    for (Map.Entry<String, String> e : rc.queryParams()) {
      if (!known.contains(e.getKey())) {
        throw ApiError.usage("unknown query parameter \"" + Audit.clean(e.getKey()) + "\""
            + (known.isEmpty() ? " (this endpoint takes none)" : " (known: " + String.join(", ", known) + ")"));
      }
      if (rc.queryParams().getAll(e.getKey()).size() > 1) {
        throw ApiError.usage("query parameter " + e.getKey() + " is given more than once");
      }
    }
  }

  /** A database name from the query, or null when absent. */
  static String databaseParam(RoutingContext rc) {
    String db = rc.queryParams().get("database");
    if (db != null && !NAME.matcher(db).matches()) {
      throw ApiError.usage("database=\"" + Audit.clean(db) + "\" is not a database name");
    }
    return db;
  }

  static int intParam(RoutingContext rc, String name, int def, int min, int max) {
    String v = rc.queryParams().get(name);
    if (v == null) {
      return def;
    }
    if (!v.matches("\\d{1,9}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
      throw ApiError.usage(name + "=\"" + Audit.clean(v) + "\" must be a whole number from " + min + " to " + max);
    }
    return Integer.parseInt(v);
  }

  /** One of {@code allowed} from the query, or null when absent. */
  static String choiceParam(RoutingContext rc, String name, List<String> allowed) {
    String v = rc.queryParams().get(name);
    if (v != null && !allowed.contains(v)) {
      throw ApiError.usage(name + "=\"" + Audit.clean(v) + "\" must be one of " + String.join(", ", allowed));
    }
    return v;
  }

  /** An ISO-8601 instant (2026-12-01T02:00:00Z) from the query, or null when absent. */
  static java.time.Instant instantParam(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    if (v == null) {
      return null;
    }
    try {
      return java.time.Instant.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiError.usage(name + "=\"" + Audit.clean(v) + "\" is not an ISO time like 2026-12-01T02:00:00Z");
    }
  }

  static Boolean boolParam(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    if (v == null) {
      return null;
    }
    return switch (v) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> throw ApiError.usage(name + "=\"" + Audit.clean(v) + "\" must be true or false");
    };
  }

  /** The body as a JSON object with only {@code known} fields; an empty body is an empty object. */
  static JsonObject body(RoutingContext rc, List<String> known) {
    String type = rc.request().getHeader("content-type");
    if (type != null && !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
      throw new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json, not "
          + Audit.clean(type));
    }
    io.vertx.core.buffer.Buffer raw = rc.body() == null ? null : rc.body().buffer();
    if (raw == null || raw.length() == 0) {
      return new JsonObject();
    }
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(raw);
    } catch (DecodeException | IllegalArgumentException | IllegalStateException e) {
      // DecodeException for bad JSON; Jackson's limits (nesting, lengths) and bad UTF-8 surface as the others
      throw ApiError.usage("the body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject o)) {
      throw ApiError.usage("the body must be a JSON object, e.g. {\"" + (known.isEmpty() ? "" : known.get(0)) + "\": ...}");
    }
    for (String k : o.fieldNames()) {
      if (!known.contains(k)) {
        throw ApiError.usage("unknown field \"" + Audit.clean(k) + "\""
            + (known.isEmpty() ? " (this endpoint takes no body)" : " (known: " + String.join(", ", known) + ")"));
      }
    }
    return o;
  }

  /** A string field; null when absent and not required. */
  static String string(JsonObject o, String field, boolean required) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) {
        throw ApiError.usage("field \"" + field + "\" is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw ApiError.usage("field \"" + field + "\" must be a string");
    }
    return s;
  }

  static Boolean bool(JsonObject o, String field, boolean required) {
    Object v = o.getValue(field);
    if (v == null) {
      if (required) {
        throw ApiError.usage("field \"" + field + "\" is required (true or false)");
      }
      return null;
    }
    if (!(v instanceof Boolean b)) {
      throw ApiError.usage("field \"" + field + "\" must be true or false");
    }
    return b;
  }

  static String databaseField(JsonObject o, boolean required) {
    String db = string(o, "database", required);
    if (db != null && !NAME.matcher(db).matches()) {
      throw ApiError.usage("field \"database\": \"" + Audit.clean(db) + "\" is not a database name");
    }
    return db;
  }
}
