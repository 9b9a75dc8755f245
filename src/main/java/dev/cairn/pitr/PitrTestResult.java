package dev.cairn.pitr;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One PITR restore test: the cluster, the base backup the restore started from (null when it did not get that
 * far), the sentinel row it looked for, whether it was found, when, how long the restore took (recovery to
 * latest until the server accepted connections: the RTO of a whole cluster), and why it failed.
 */
public record PitrTestResult(String cluster, String baseBackup, String sentinel, boolean passed, Instant started,
    Instant finished, long restoreMs, String errorCode, String message, String hint) {
  public JsonObject toJson() {
    return new JsonObject().put("cluster", cluster).put("base_backup", baseBackup).put("sentinel", sentinel)
        .put("passed", passed).put("started", started.toString()).put("finished", finished.toString())
        .put("restore_ms", restoreMs).put("error_code", errorCode).put("message", message).put("hint", hint);
  }

  public static PitrTestResult fromJson(JsonObject j) {
    return new PitrTestResult(j.getString("cluster"), j.getString("base_backup"), j.getString("sentinel"),
        j.getBoolean("passed", false), Instant.parse(j.getString("started")), Instant.parse(j.getString("finished")),
        j.getLong("restore_ms", 0L), j.getString("error_code"), j.getString("message"), j.getString("hint"));
  }
}
