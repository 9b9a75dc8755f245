package dev.cairn.http;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * Per-repository gauges beside {@link Metrics}' (docs/http-api.md): good backups, archive bytes, the last copy
 * that succeeded into it, whether its copies are failing, whether it can be listed. Read from
 * {@link RepositoriesView#states()}, refreshed before a scrape at most every {@link Metrics#TTL}.
 */
final class RepositoryMetrics {
  private final Map<String, RepositoriesView.State> last = new ConcurrentHashMap<>();
  private final ScrapeRefresh refresh;

  RepositoryMetrics(RepositoriesView view, MeterRegistry registry, List<String> names) {
    this.refresh = new ScrapeRefresh(() -> view.states().map(states -> {
      states.forEach(s -> last.put(s.repo().name(), s));
      return (Void) null;
    }));
    for (String n : names) {
      gauge(registry, "cairn.repository.backups", n, "good backups in the repository", s -> s.backups());
      gauge(registry, "cairn.repository.archives.bytes", n, "bytes of all archives in the repository", s -> s.bytes());
      gauge(registry, "cairn.repository.last.copy.success.timestamp.seconds", n,
          "when the last copy into the repository was checked and published, Unix seconds (0: none)",
          s -> s.copy() == null || s.copy().lastSuccess() == null ? 0 : s.copy().lastSuccess().toEpochMilli() / 1000.0);
      gauge(registry, "cairn.repository.copy.failing", n,
          "1 when the last copy job into the repository failed after all its attempts", s -> s.copy() != null
              && s.copy().failing() ? 1 : 0);
      gauge(registry, "cairn.repository.reachable", n, "1 when the repository could be listed", s -> s.error() == null
          ? 1 : 0);
    }
  }

  private void gauge(MeterRegistry registry, String name, String repository, String help,
      ToDoubleFunction<RepositoriesView.State> value) {
    Gauge.builder(name, this, m -> {
      RepositoriesView.State s = m.last.get(repository);
      return s == null ? 0 : value.applyAsDouble(s);
    }).tag("repository", repository).description(help).strongReference(true).register(registry);
  }

  /** Call on the HTTP verticle's context before scraping; a failed read keeps the previous values. */
  Future<Void> refresh() {
    return refresh.refresh();
  }
}
