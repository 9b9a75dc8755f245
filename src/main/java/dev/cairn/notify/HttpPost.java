package dev.cairn.notify;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * POSTs to receivers with core's HTTP client and sorts the answer: 2xx delivered; 408, 429, 5xx and
 * connection errors are worth retrying (honouring Retry-After); any other status is final. Errors name the
 * receiver by scheme and host only: webhook paths and DSNs are credentials.
 */
final class HttpPost {
  static final Duration TIMEOUT = Duration.ofSeconds(15);
  /** A Retry-After longer than this is clamped: one receiver must not park an alert for a day. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

  private final HttpClient client;

  HttpPost(Vertx vertx) {
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) TIMEOUT.toMillis())
        .setTrustAll(false).setVerifyHost(true));
  }

  Future<Void> post(String url, MultiMap headers, Buffer body) {
    return send(HttpMethod.POST, url, headers, body);
  }

  Future<Void> send(HttpMethod method, String url, MultiMap headers, Buffer body) {
    URI u;
    RequestOptions o;
    try {
      u = URI.create(url);
      o = new RequestOptions().setMethod(method).setAbsoluteURI(url).setTimeout(TIMEOUT.toMillis());
      if (headers != null) {
        o.setHeaders(headers);
      }
    } catch (RuntimeException e) {
      return Future.failedFuture(new DeliveryException("invalid receiver URL", false, null));
    }
    String who = u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort());
    return client.request(o)
        .compose(req -> body == null ? req.send() : req.send(body))
        .recover(e -> Future.failedFuture(new DeliveryException(who + " unreachable: " + reason(e), true, null)))
        .compose(resp -> resp.body().transform(ar -> {
          int s = resp.statusCode();
          if (s >= 200 && s < 300) {
            return Future.<Void>succeededFuture();
          }
          boolean retry = s == 408 || s == 429 || s >= 500;
          Duration after = retryAfter(resp.getHeader("retry-after"));
          return Future.failedFuture(new DeliveryException(who + " answered " + s
              + (after == null ? "" : " (retry after " + after.toSeconds() + " s)"), retry, after));
        }));
  }

  private static String reason(Throwable e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** Seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    Duration d;
    try {
      d = Duration.ofSeconds(Long.parseLong(header.trim()));
    } catch (NumberFormatException e) {
      try {
        d = Duration.between(java.time.Instant.now(),
            ZonedDateTime.parse(header.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
      } catch (RuntimeException bad) {
        return null;
      }
    }
    if (d.isNegative()) {
      return Duration.ZERO;
    }
    return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
  }

  Future<Void> close() {
    return client.close();
  }
}
