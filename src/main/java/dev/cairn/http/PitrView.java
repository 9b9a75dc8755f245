package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.pitr.PitrReport;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.time.Clock;

/**
 * Point-in-time recovery as GET /api/v1/pitr, health and the metrics read it: the PITR verticle's last look at each
 * cluster, from its memory over the bus; without one (no clusters configured here), the agents' {@code state.json}
 * in the repository. Never pg_waldump: that runs in the verticle when the WAL changed.
 */
final class PitrView {
  private static final DeliveryOptions ASK = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final WorkerExecutor io;
  private final Repository repo;
  private final Clock clock;

  PitrView(Vertx vertx, WorkerExecutor io, Repository repo, Clock clock) {
    this.vertx = vertx;
    this.io = io;
    this.repo = repo;
    this.clock = clock;
  }

  Future<PitrReport.Report> report() {
    return vertx.eventBus().<JsonObject>request(Addresses.PITR_QUERY, null, ASK).map(m -> {
      JsonObject j = m.body().copy();
      boolean ok = Boolean.TRUE.equals(j.remove("ok"));
      return new PitrReport.Report(ok, j);
    }).recover(e -> e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
        ? io.executeBlocking(() -> PitrReport.fromRepository(repo.storage(), clock.instant()), false)
        : Future.failedFuture(e));
  }
}
