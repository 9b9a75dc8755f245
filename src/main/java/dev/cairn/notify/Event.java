package dev.cairn.notify;

import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;

/**
 * One thing worth telling someone, as every sink receives it (docs/notifications.md documents the JSON).
 *
 * @param id unique and stable across retries and restarts: receivers de-duplicate by it ({@code webhook-id})
 * @param duration how long the job ran, or null
 * @param bytes archive size, or 0 when unknown
 * @param link the console page of the backup or job, or null when {@code http.public_url} is unset
 */
public record Event(String id, Type type, Instant at, String database, String backupId, String jobId,
    Duration duration, long bytes, String errorCode, String message, String hint, String link) {

  /** What happened; {@code words} are the filter words ({@code events:}) that select it. */
  public enum Type {
    BACKUP_STARTED("backup.started", false, "backup", "started"),
    BACKUP_SUCCEEDED("backup.succeeded", false, "success", "backup"),
    BACKUP_FAILED("backup.failed", true, "failure", "backup"),
    BACKUP_SLOW("backup.slow", true, "failure", "slow"),
    BACKUP_MISSED("backup.missed", true, "failure", "missed"),
    DATABASE_STALE("database.stale", true, "failure", "stale"),
    DATABASE_RECOVERED("database.recovered", false, "failure", "stale"),
    RESTORE_TEST_PASSED("restore_test.passed", false, "success", "restore_test"),
    RESTORE_TEST_FAILED("restore_test.failed", true, "failure", "restore_test"),
    VERIFY_FAILED("verify.failed", true, "failure", "verify"),
    RETENTION_DELETED("retention.deleted", false, "retention"),
    STORAGE_UNREACHABLE("storage.unreachable", true, "failure", "storage"),
    STORAGE_LOW("storage.low_space", true, "failure", "storage"),
    STORAGE_RECOVERED("storage.recovered", false, "failure", "storage"),
    /** {@code cairn notify test}: every sink gets it, whatever its filter. */
    TEST("test", false);

    private final String code;
    private final boolean bad;
    private final Set<String> words;

    Type(String code, boolean bad, String... words) {
      this.code = code;
      this.bad = bad;
      this.words = Set.of(words);
    }

    public String code() {
      return code;
    }

    /** Whether someone should act (red in Slack, an error in Sentry, /fail for a heartbeat). */
    public boolean bad() {
      return bad;
    }

    /** Whether a sink subscribed to {@code events} wants this type. */
    public boolean selectedBy(Set<String> events) {
      if (this == TEST) {
        return true;
      }
      if (events.contains("all") && this != BACKUP_STARTED) {
        return true;
      }
      return words.stream().anyMatch(events::contains);
    }

    public static Type of(String code) {
      for (Type t : values()) {
        if (t.code.equals(code)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown event type " + code);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A new event id: {@code evt_} and 20 hex digits, also a valid storage key segment. */
  public static String newId() {
    return "evt_" + String.format(Locale.ROOT, "%08x%012x", RANDOM.nextInt(), RANDOM.nextLong() & 0xffffffffffffL);
  }

  /** A one-line headline, e.g. "backup of app failed". */
  public String title() {
    String db = database == null ? "" : database;
    return switch (type) {
      case BACKUP_STARTED -> "backup of " + db + " started";
      case BACKUP_SUCCEEDED -> "backup of " + db + " succeeded";
      case BACKUP_FAILED -> "backup of " + db + " failed";
      case BACKUP_SLOW -> "backup of " + db + " is slow";
      case BACKUP_MISSED -> "a scheduled backup of " + db + " was missed";
      case DATABASE_STALE -> db + " has no recent good backup";
      case DATABASE_RECOVERED -> db + " has a recent good backup again";
      case RESTORE_TEST_PASSED -> "restore test of " + db + " passed";
      case RESTORE_TEST_FAILED -> "restore test of " + db + " failed";
      case VERIFY_FAILED -> "verify of " + (backupId == null ? db : backupId) + " failed";
      case RETENTION_DELETED -> "retention deleted backups of " + db;
      case STORAGE_UNREACHABLE -> "the repository is unreachable";
      case STORAGE_LOW -> "the repository is nearly full";
      case STORAGE_RECOVERED -> "the repository is reachable and has room again";
      case TEST -> "test notification from cairn";
    };
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("type", type.code()).put("at", at.toString())
        .put("database", database).put("backupId", backupId).put("jobId", jobId)
        .put("durationSeconds", duration == null ? null : duration.toMillis() / 1000.0)
        .put("bytes", bytes == 0 ? null : bytes).put("title", title()).put("message", message)
        .put("error", errorCode == null ? null : new JsonObject().put("code", errorCode).put("hint", hint))
        .put("link", link);
  }

  public static Event fromJson(JsonObject j) {
    Double secs = j.getDouble("durationSeconds");
    JsonObject err = j.getJsonObject("error");
    Long bytes = j.getLong("bytes"); // written as null when unknown
    return new Event(j.getString("id"), Type.of(j.getString("type")), Instant.parse(j.getString("at")),
        j.getString("database"), j.getString("backupId"), j.getString("jobId"),
        secs == null ? null : Duration.ofMillis(Math.round(secs * 1000)), bytes == null ? 0 : bytes,
        err == null ? null : err.getString("code"), j.getString("message"), err == null ? null : err.getString("hint"),
        j.getString("link"));
  }
}
