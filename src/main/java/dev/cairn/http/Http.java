package dev.cairn.http;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;

/** Small response helpers shared by the endpoint classes. */
final class Http {
  private Http() {}

  /** Answers with {@code render(result)} as JSON and {@code status}, or with the failure as an API error. */
  static <T> Handler<AsyncResult<T>> json(RoutingContext rc, int status, Function<T, JsonObject> render) {
    return ar -> {
      if (ar.failed()) {
        ApiError.from(ar.cause()).send(rc);
        return;
      }
      JsonObject body;
      try {
        body = render.apply(ar.result());
      } catch (RuntimeException e) {
        ApiError.from(e).send(rc);
        return;
      }
      send(rc, status, body);
    };
  }

  static void send(RoutingContext rc, int status, JsonObject body) {
    if (rc.response().ended()) {
      return;
    }
    rc.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
        .putHeader("cache-control", "no-store").end(body.encodePrettily());
  }
}
