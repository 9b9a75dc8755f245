package dev.cairn.notify;

import dev.cairn.config.NotificationConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.util.Set;

/**
 * A dead-man's switch in the healthchecks.io style: {@code <url>/start} when a backup starts, {@code <url>}
 * when one succeeds (or anything good happens), {@code <url>/fail} on a failure; the body is the message text,
 * which healthchecks.io shows beside the ping.
 */
final class HeartbeatSink implements Sink {
  private final String name;
  private final NotificationConfig.Heartbeat config;
  private final Set<String> events;
  private final HttpPost http;

  HeartbeatSink(String name, NotificationConfig.Heartbeat config, Set<String> events, HttpPost http) {
    this.name = name;
    this.config = config;
    this.events = events;
    this.http = http;
  }

  public String name() {
    return name;
  }

  public String kind() {
    return "heartbeat";
  }

  public Set<String> events() {
    return events;
  }

  /** Where an event pings. */
  static String url(String base, Event e) {
    String b = base.replaceAll("/+$", "");
    if (e.type() == Event.Type.BACKUP_STARTED) {
      return b + "/start";
    }
    return e.type().bad() ? b + "/fail" : b;
  }

  public Future<Void> deliver(Event e) {
    try {
      return http.post(url(config.url(), e), MultiMap.caseInsensitiveMultiMap().add("content-type", "text/plain"),
          Buffer.buffer(Text.plain(e)));
    } catch (RuntimeException ex) {
      return Future.failedFuture(ex);
    }
  }
}
