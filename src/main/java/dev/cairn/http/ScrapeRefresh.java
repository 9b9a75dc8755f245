package dev.cairn.http;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A read that gauges take their values from before a scrape: at most one under way (later callers share it), and
 * none again within {@link Metrics#TTL} of the last that succeeded; a failed read keeps the previous values. On the
 * HTTP verticle's context only.
 */
final class ScrapeRefresh {
  private final Supplier<Future<Void>> read;
  private boolean done;
  private long refreshedAt;
  private Future<Void> refreshing;

  ScrapeRefresh(Supplier<Future<Void>> read) {
    this.read = read;
  }

  Future<Void> refresh() {
    if (refreshing != null) {
      return refreshing;
    }
    long now = System.nanoTime();
    if (done && now - refreshedAt < Metrics.TTL.toNanos()) {
      return Future.succeededFuture();
    }
    Future<Void> f = read.get().map(x -> {
      refreshedAt = now;
      done = true;
      return x;
    }).otherwise(e -> null).andThen(ar -> refreshing = null);
    if (!f.isComplete()) {
      refreshing = f;
    }
    return f;
  }
}
