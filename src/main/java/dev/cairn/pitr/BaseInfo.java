package dev.cairn.pitr;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One base backup: the WAL range it needs (start to stop, on its timeline), when it ran, PostgreSQL's
 * backup_label, and the size and SHA-256 of the tar it holds.
 */
public record BaseInfo(String id, int timeline, Lsn start, Lsn stop, Instant started, Instant finished, String label,
    long rawBytes, long storedBytes, String sha256) {
  JsonObject toJson() {
    return new JsonObject().put("id", id).put("timeline", timeline).put("start_lsn", start.toString())
        .put("stop_lsn", stop.toString()).put("started", started.toString()).put("finished", finished.toString())
        .put("backup_label", label).put("raw_bytes", rawBytes).put("stored_bytes", storedBytes).put("sha256", sha256);
  }

  static BaseInfo fromJson(JsonObject j) {
    return new BaseInfo(j.getString("id"), j.getInteger("timeline"), Lsn.parse(j.getString("start_lsn")),
        Lsn.parse(j.getString("stop_lsn")), Instant.parse(j.getString("started")), Instant.parse(j.getString("finished")),
        j.getString("backup_label"), j.getLong("raw_bytes"), j.getLong("stored_bytes"), j.getString("sha256"));
  }
}
