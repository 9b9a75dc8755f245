package dev.cairn.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-cluster gauges of point-in-time recovery (docs/http-api.md): the window's start and end, the WAL lag, gaps,
 * the newest base backup, restarts of pg_receivewal. Read from {@link PitrView} (the PITR verticle's memory) before
 * a scrape, at most every {@link Metrics#TTL}; a cluster's series appear with its first report.
 */
final class PitrMetrics {
  private final MeterRegistry registry;
  private final Map<String, JsonObject> last = new ConcurrentHashMap<>();
  private final ScrapeRefresh refresh;

  PitrMetrics(PitrView view, MeterRegistry registry) {
    this.registry = registry;
    this.refresh = new ScrapeRefresh(() -> view.report().map(r -> {
      for (Object o : r.json().getJsonArray("clusters")) {
        JsonObject c = (JsonObject) o;
        if (last.put(c.getString("name"), c) == null) {
          register(c.getString("name"));
        }
      }
      return (Void) null;
    }));
  }

  /** Call on the HTTP verticle's context before scraping; a failed read keeps the previous values. */
  Future<Void> refresh() {
    return refresh.refresh();
  }

  private void register(String cluster) {
    gauge("cairn.pitr.window.start.timestamp.seconds", cluster, "start of the recovery window (the end of the oldest"
        + " base backup WAL replays from without a hole), Unix seconds; 0: no window", c -> epoch(c
        .getJsonObject("window").getString("from")));
    gauge("cairn.pitr.window.end.timestamp.seconds", cluster, "end of the recovery window (the last commit whose WAL"
        + " is in the repository), Unix seconds; 0: no window", c -> epoch(c.getJsonObject("window").getString("to")));
    gauge("cairn.pitr.lag.seconds", cluster, "age of the oldest WAL the server has and the repository lacks (the RPO);"
        + " -1: not measured yet", c -> c.getDouble("lag_seconds") == null ? -1 : c.getDouble("lag_seconds"));
    gauge("cairn.pitr.gaps", cluster, "WAL segments missing inside a timeline", c -> c.getJsonArray("gaps").size());
    gauge("cairn.pitr.last.base.backup.timestamp.seconds", cluster, "when the newest base backup finished, Unix"
        + " seconds; 0: none", c -> c.getJsonObject("last_base_backup") == null ? 0
        : epoch(c.getJsonObject("last_base_backup").getString("finished")));
    gauge("cairn.pitr.last.base.backup.size.bytes", cluster, "bytes of the newest base backup in the repository",
        c -> c.getJsonObject("last_base_backup") == null ? 0 : c.getJsonObject("last_base_backup").getLong("stored_bytes"));
    FunctionCounter.builder("cairn.pitr.receiver.restarts", this, m -> m.last.containsKey(cluster)
        ? m.last.get(cluster).getLong("receiver_restarts", 0L) : 0).tag("cluster", cluster)
        .description("times pg_receivewal was started again (or tried) since the agent started").register(registry);
    gauge("cairn.pitr.healthy", cluster, "1 when the cluster is healthy: a window, no gap, lag within max_lag, restore"
        + " test fine (the rule of /api/v1/health)", c -> c.getBoolean("ok", false) ? 1 : 0);
    gauge("cairn.pitr.restore.test.last.passed", cluster, "1 when the last PITR restore test passed, 0 when it failed,"
        + " -1 before the first", c -> c.getJsonObject("restore_test") == null ? -1
        : c.getJsonObject("restore_test").getBoolean("passed", false) ? 1 : 0);
  }

  private static double epoch(String iso) {
    return iso == null ? 0 : Instant.parse(iso).toEpochMilli() / 1000.0;
  }

  private void gauge(String name, String cluster, String help, ToDoubleFunction<JsonObject> value) {
    Gauge.builder(name, this, m -> {
      JsonObject c = m.last.get(cluster);
      return c == null ? 0 : value.applyAsDouble(c);
    }).tag("cluster", cluster).description(help).strongReference(true).register(registry);
  }
}
