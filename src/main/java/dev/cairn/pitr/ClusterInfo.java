package dev.cairn.pitr;

import io.vertx.core.json.JsonObject;

/** What the repository knows of one PostgreSQL cluster: the facts every restore needs. */
public record ClusterInfo(String name, String systemId, long segmentSize, int serverVersionNum) {
  JsonObject toJson() {
    return new JsonObject().put("name", name).put("system_identifier", systemId).put("wal_segment_size", segmentSize)
        .put("server_version_num", serverVersionNum);
  }

  static ClusterInfo fromJson(JsonObject j) {
    return new ClusterInfo(j.getString("name"), j.getString("system_identifier"), j.getLong("wal_segment_size"),
        j.getInteger("server_version_num"));
  }
}
