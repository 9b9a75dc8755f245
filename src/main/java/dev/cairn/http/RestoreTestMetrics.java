package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.copy.Placement;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The last restore test of each database with {@code restore_test}, as gauges: read from the restore-test log
 * once at start, then from {@link Messages.RestoreTestFinished} events on the HTTP verticle's context.
 */
final class RestoreTestMetrics {
  private record Last(boolean passed, Instant finished, double seconds, double restoreSeconds) {}

  private final Map<String, Last> last = new ConcurrentHashMap<>();
  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;
  private final Set<String> databases;

  RestoreTestMetrics(Vertx vertx, Placement placement, WorkerExecutor io, Set<String> databases) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
    this.databases = databases;
  }

  void register(MeterRegistry registry) {
    for (String db : databases) {
      gauge(registry, "cairn.restore.test.last.passed", db, "1 when the last restore test passed, 0 when it failed,"
          + " -1 before the first", l -> l == null ? -1 : l.passed() ? 1 : 0);
      gauge(registry, "cairn.restore.test.last.timestamp.seconds", db, "when the last restore test ended, Unix"
          + " seconds (0: none yet)", l -> l == null ? 0 : l.finished().getEpochSecond());
      gauge(registry, "cairn.restore.test.last.duration.seconds", db, "how long the last restore test took,"
          + " checks included", l -> l == null ? 0 : l.seconds());
      gauge(registry, "cairn.restore.test.last.restore.seconds", db, "the restore part of the last restore test:"
          + " the measured recovery time", l -> l == null ? 0 : l.restoreSeconds());
    }
    vertx.eventBus().<Messages.RestoreTestFinished>consumer(Addresses.RESTORE_TEST_FINISHED, m -> {
      Messages.RestoreTestFinished f = m.body();
      last.put(f.database(), new Last(f.passed(), f.finished(), f.duration().toMillis() / 1000.0,
          f.restoreTime().toMillis() / 1000.0));
    });
    io.executeBlocking(() -> RestoreTestHealth.last(placement, databases), false).onSuccess(found -> found.forEach(
        (db, r) -> last.putIfAbsent(db, new Last(r.passed(), r.finished(), r.durationMs() / 1000.0,
            r.restoreMs() / 1000.0))));
  }

  private void gauge(MeterRegistry registry, String name, String db, String help, ToDoubleFunction<Last> value) {
    Gauge.builder(name, this, m -> value.applyAsDouble(m.last.get(db))).tag("database", db).description(help)
        .strongReference(true).register(registry);
  }
}
