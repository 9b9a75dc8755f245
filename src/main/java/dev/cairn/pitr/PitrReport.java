package dev.cairn.pitr;

import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Every cluster of a repository as GET /api/v1/pitr and the health check show it. A cluster is unhealthy with a
 * gap in its WAL, without a window, or when the agent measured a lag above the cluster's max_lag.
 */
public final class PitrReport {
  public record Report(boolean ok, JsonObject json) {}

  private PitrReport() {}

  public static Report of(Storage storage, Path pgBin, Instant now) {
    JsonArray clusters = new JsonArray();
    boolean allOk = true;
    for (String name : PitrStore.clusters(storage)) {
      PitrStore store = new PitrStore(storage, name);
      PitrStatus st = PitrStatus.of(store, pgBin, now);
      JsonObject o = st.toJson();
      Double maxLag = store.state().map(s -> s.getDouble("max_lag_seconds")).orElse(null);
      boolean ok = st.gaps().isEmpty() && st.from() != null
          && (maxLag == null || st.lagSeconds() == null || st.lagSeconds() <= maxLag);
      allOk &= ok;
      o.put("ok", ok);
      clusters.add(o);
    }
    return new Report(allOk, new JsonObject().put("clusters", clusters));
  }
}
