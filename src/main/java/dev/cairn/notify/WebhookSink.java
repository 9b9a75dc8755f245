package dev.cairn.notify;

import dev.cairn.config.NotificationConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A generic webhook signed per Standard Webhooks: {@code webhook-id} (the event id, the same on every retry),
 * {@code webhook-timestamp} (Unix seconds of this attempt) and {@code webhook-signature: v1,<base64
 * HMAC-SHA256 of "id.timestamp.body">}, keyed with the base64 bytes after {@code whsec_}.
 */
final class WebhookSink extends Sink {
  private final NotificationConfig.Webhook config;
  private final HttpPost http;
  private final Clock clock;

  WebhookSink(String name, NotificationConfig.Webhook config, Set<String> events, HttpPost http, Clock clock) {
    super(name, "webhook", events);
    this.config = config;
    this.http = http;
    this.clock = clock;
  }

  /** {"type", "timestamp", "data": the event}, the envelope Standard Webhooks recommends. */
  static JsonObject body(Event e) {
    return new JsonObject().put("type", e.type().code()).put("timestamp", e.at().toString()).put("data", e.toJson());
  }

  @Override
  Future<Void> send(Event e) {
    String body = body(e).encode();
    String ts = Long.toString(clock.instant().getEpochSecond());
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/json")
        .add("user-agent", "cairn").add("webhook-id", e.id()).add("webhook-timestamp", ts);
    if (config.secret() != null) {
      h.add("webhook-signature", "v1," + sign(config.secret(), e.id(), ts, body));
    }
    return http.post(config.url(), h, Buffer.buffer(body));
  }

  static String sign(String secret, String id, String timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
      byte[] sig = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(sig);
    } catch (java.security.GeneralSecurityException ex) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", ex);
    }
  }
}
