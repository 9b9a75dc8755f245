package dev.cairn.http;

import dev.cairn.bus.Addresses;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * GET /api/v1/pitr (each cluster as the PITR verticle last saw it, {@link PitrView}) and
 * POST /api/v1/pitr/{cluster}/test (its restore test now, 202; the result comes with GET /api/v1/pitr).
 */
final class PitrApi {
  private final Vertx vertx;
  private final PitrView view;

  PitrApi(Vertx vertx, PitrView view) {
    this.vertx = vertx;
    this.view = view;
  }

  void show(RoutingContext rc) {
    Input.query(rc, List.of());
    view.report().onSuccess(p -> Http.send(rc, 200, p.json())).onFailure(e -> ApiError.from(e).send(rc));
  }

  void test(RoutingContext rc) {
    Input.query(rc, List.of());
    Input.body(rc, List.of());
    String cluster = rc.pathParam("cluster");
    rc.put(Audit.TARGET_KEY, cluster);
    vertx.eventBus().<JsonObject>request(Addresses.PITR_TEST, cluster).map(m -> m.body())
        .recover(e -> Future.failedFuture(e instanceof ReplyException r && r.failureType() == ReplyFailure.NO_HANDLERS
            ? new ApiError(404, ApiError.NOT_FOUND, "no cluster " + cluster + ": the agent has no clusters configured")
            : e))
        .onSuccess(j -> Http.send(rc, 202, j)).onFailure(e -> ApiError.from(e).send(rc));
  }
}
