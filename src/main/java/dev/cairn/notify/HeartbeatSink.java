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
final class HeartbeatSink extends Sink {
  private final NotificationConfig.Heartbeat config;
  private final HttpPost http;

  HeartbeatSink(String name, NotificationConfig.Heartbeat config, Set<String> events, HttpPost http) {
    super(name, "heartbeat", events);
    this.config = config;
    this.http = http;
  }

  /** Where an event pings. */
  static String url(String base, Event e) {
    String b = base.replaceAll("/+$", "");
    if (e.type() == Event.Type.BACKUP_STARTED) {
      return b + "/start";
    }
    return e.type().bad() ? b + "/fail" : b;
  }

  @Override
  Future<Void> send(Event e) {
    return http.post(url(config.url(), e), MultiMap.caseInsensitiveMultiMap().add("content-type", "text/plain"),
        Buffer.buffer(Text.plain(e)));
  }
}
