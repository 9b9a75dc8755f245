package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** POST /api/v1/notifications/test: a test message to every sink (or one), and whether each got it. */
final class NotificationsApi {
  /** Each sink has its own 15 s timeout; an SMTP dialogue or a retry-free POST ends well within this. */
  private static final DeliveryOptions WAIT = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;

  NotificationsApi(Vertx vertx) {
    this.vertx = vertx;
  }

  void test(RoutingContext rc) {
    Input.query(rc, List.of());
    JsonObject body = Input.body(rc, List.of("sink"));
    String sink = Input.string(body, "sink", false);
    rc.put(Audit.TARGET_KEY, sink == null ? "all" : sink);
    vertx.eventBus().<Messages.NotifyTestReport>request(Addresses.NOTIFY_TEST, new Messages.NotifyTest(sink), WAIT)
        .map(m -> m.body())
        .onComplete(Http.json(rc, 200, report -> {
          JsonArray sinks = new JsonArray();
          boolean all = true;
          for (Messages.NotifyTestResult r : report.results()) {
            sinks.add(new JsonObject().put("sink", r.sink()).put("kind", r.kind()).put("delivered", r.delivered())
                .put("error", r.error()));
            all &= r.delivered();
          }
          return new JsonObject().put("delivered", all).put("sinks", sinks);
        }));
  }
}
