package dev.cairn.notify;

import dev.cairn.config.NotificationConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** A Slack incoming webhook: a header block, the facts as mrkdwn fields, a link button to the console. */
final class SlackSink extends Sink {
  private final NotificationConfig.Slack config;
  private final HttpPost http;

  SlackSink(String name, NotificationConfig.Slack config, Set<String> events, HttpPost http) {
    super(name, "slack", events);
    this.config = config;
    this.http = http;
  }

  static JsonObject payload(Event e) {
    String title = (e.type().bad() ? ":red_circle: " : ":white_check_mark: ") + e.title();
    JsonArray fields = new JsonArray();
    for (Text.Line l : Text.facts(e)) {
      if (!l.label().equals("console") && !l.label().equals("message") && !l.label().equals("hint")) {
        fields.add(new JsonObject().put("type", "mrkdwn").put("text", "*" + l.label() + "*\n" + escape(l.value())));
      }
    }
    JsonArray blocks = new JsonArray()
        .add(new JsonObject().put("type", "header").put("text", new JsonObject().put("type", "plain_text")
            .put("text", e.title())));
    if (!fields.isEmpty()) {
      blocks.add(new JsonObject().put("type", "section").put("fields", fields));
    }
    if (e.message() != null) {
      String text = escape(e.message()) + (e.hint() == null ? "" : "\n*hint:* " + escape(e.hint()));
      blocks.add(new JsonObject().put("type", "section").put("text", new JsonObject().put("type", "mrkdwn")
          .put("text", text)));
    }
    if (e.link() != null) {
      blocks.add(new JsonObject().put("type", "actions").put("elements", new JsonArray().add(new JsonObject()
          .put("type", "button").put("text", new JsonObject().put("type", "plain_text").put("text", "Open in console"))
          .put("url", e.link()))));
    }
    blocks.add(new JsonObject().put("type", "context").put("elements", new JsonArray().add(new JsonObject()
        .put("type", "mrkdwn").put("text", "cairn · " + e.type().code() + " · " + e.at()))));
    // text is the notification preview and the fallback for clients without blocks
    return new JsonObject().put("text", title).put("blocks", blocks);
  }

  /** Slack's three control characters in mrkdwn. */
  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  @Override
  Future<Void> send(Event e) {
    return http.post(config.webhookUrl(), MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json"),
        Buffer.buffer(payload(e).encode()));
  }
}
