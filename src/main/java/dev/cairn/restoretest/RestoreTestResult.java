package dev.cairn.restoretest;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one restore test. {@code restoreMs}: the measured recovery time (the restore alone, from
 * its first statement to its ANALYZE); {@code durationMs}: the whole test, checks and clean-up included.
 * {@code checked}: what was proven, e.g. "12 tables: row counts and content digests". {@code problems}:
 * every difference found (empty when passed). {@code errorCode}/{@code message}/{@code hint}: why it failed.
 * {@code kept}: the scratch database (or local cluster directory) left for inspection, else null.
 */
public record RestoreTestResult(String backupId, String database, String scratchDatabase, String target,
    boolean passed, Instant started, long durationMs, long restoreMs, List<String> checked, List<String> problems,
    String errorCode, String message, String hint, String kept) {

  public RestoreTestResult {
    checked = List.copyOf(checked);
    problems = List.copyOf(problems);
  }

  public JsonObject toJson() {
    return new JsonObject().put("backupId", backupId).put("database", database).put("scratchDatabase", scratchDatabase)
        .put("target", target).put("passed", passed).put("started", started == null ? null : started.toString())
        .put("durationMs", durationMs).put("restoreMs", restoreMs).put("checked", new JsonArray(new ArrayList<>(checked)))
        .put("problems", new JsonArray(new ArrayList<>(problems)))
        .put("error", errorCode == null ? null : new JsonObject().put("code", errorCode).put("message", message)
            .put("hint", hint))
        .put("kept", kept);
  }

  public static RestoreTestResult fromJson(JsonObject j) {
    JsonObject err = j.getJsonObject("error");
    String started = j.getString("started");
    return new RestoreTestResult(j.getString("backupId"), j.getString("database"), j.getString("scratchDatabase"),
        j.getString("target"), j.getBoolean("passed", false), started == null ? null : Instant.parse(started),
        j.getLong("durationMs", 0L), j.getLong("restoreMs", 0L), strings(j.getJsonArray("checked")),
        strings(j.getJsonArray("problems")), err == null ? null : err.getString("code"),
        err == null ? null : err.getString("message"), err == null ? null : err.getString("hint"), j.getString("kept"));
  }

  private static List<String> strings(JsonArray a) {
    List<String> out = new ArrayList<>();
    if (a != null) {
      a.forEach(o -> out.add(String.valueOf(o)));
    }
    return out;
  }

  /** When it ended. */
  public Instant finished() {
    return started == null ? null : started.plusMillis(durationMs);
  }

  /** "12 tables: row counts and content digests; 3 sequences; schema; 1 SQL check; amcheck of 9 btree indexes". */
  public String checkedLine() {
    return String.join("; ", checked);
  }
}
