package dev.cairn.notify;

import dev.cairn.bus.Messages;
import dev.cairn.config.NotificationConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds the configured sinks, and sends test messages (the agent's API and {@code cairn notify test}). */
public final class Sinks {
  private final Map<String, Sink> byName;
  private final HttpPost http;

  private Sinks(Map<String, Sink> byName, HttpPost http) {
    this.byName = byName;
    this.http = http;
  }

  /** {@code pool}: where blocking SDK work (Sentry) runs. */
  public static Sinks create(Vertx vertx, List<NotificationConfig> configs, WorkerExecutor pool, Clock clock) {
    HttpPost http = new HttpPost(vertx);
    Map<String, Sink> out = new LinkedHashMap<>();
    for (NotificationConfig c : configs) {
      out.put(c.name(), sink(vertx, c, http, pool, clock));
    }
    return new Sinks(out, http);
  }

  private static Sink sink(Vertx vertx, NotificationConfig c, HttpPost http, WorkerExecutor pool, Clock clock) {
    NotificationConfig.Sink k = c.sink();
    if (k instanceof NotificationConfig.Slack s) {
      return new SlackSink(c.name(), s, c.events(), http);
    } else if (k instanceof NotificationConfig.Webhook w) {
      return new WebhookSink(c.name(), w, c.events(), http, clock);
    } else if (k instanceof NotificationConfig.Email m) {
      return new EmailSink(vertx, c.name(), m, c.events());
    } else if (k instanceof NotificationConfig.Heartbeat h) {
      return new HeartbeatSink(c.name(), h, c.events(), http);
    } else if (k instanceof NotificationConfig.Sentry s) {
      return new SentrySink(c.name(), s, c.events(), http, pool);
    }
    return new HistoryTableSink(vertx, c.name(), (NotificationConfig.Postgres) k, c.events());
  }

  Map<String, Sink> byName() {
    return byName;
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /**
   * Sends one test event to each sink (or to {@code only}), once, without retry or outbox, and reports each
   * outcome; never fails.
   */
  public Future<List<Messages.NotifyTestResult>> test(String only, String publicUrl, Instant now) {
    Event e = new Event(Event.newId(), Event.Type.TEST, now, null, null, null, null, 0, null,
        "this is a test message: the sink is configured and reachable", null, new Links(publicUrl).home());
    Collection<Sink> chosen = only == null ? byName.values() : byName.containsKey(only)
        ? List.of(byName.get(only)) : List.of();
    List<Future<Messages.NotifyTestResult>> all = new ArrayList<>();
    for (Sink s : chosen) {
      all.add(s.deliver(e).map(v -> new Messages.NotifyTestResult(s.name(), s.kind(), true, null))
          .otherwise(ex -> new Messages.NotifyTestResult(s.name(), s.kind(), false, String.valueOf(ex.getMessage()))));
    }
    return Future.join(all).transform(x -> Future.succeededFuture(all.stream().map(Future::result).toList()));
  }

  public Future<Void> close() {
    List<Future<Void>> all = new ArrayList<>();
    byName.values().forEach(s -> all.add(s.close()));
    return Future.join(all).transform(x -> http.close());
  }
}
