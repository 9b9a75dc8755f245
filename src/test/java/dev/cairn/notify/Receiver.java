package dev.cairn.notify;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP receiver on loopback: records every request and answers from a script of statuses (then
 * {@code fallback}), so tests can make a webhook, Slack or Sentry endpoint fail, throttle and recover.
 */
final class Receiver implements AutoCloseable {
  record Request(String method, String path, MultiMap headers, String body, Instant at, int answered) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  record Answer(int status, String retryAfter) {}

  private final HttpServer server;
  private final List<Request> requests = new ArrayList<>();
  private final Deque<Answer> script = new ArrayDeque<>();
  private volatile int fallback = 200;

  private Receiver(HttpServer server) {
    this.server = server;
  }

  static Receiver start(Vertx vertx) throws Exception {
    Receiver[] self = new Receiver[1];
    HttpServer s = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      Answer a = self[0].next();
      synchronized (self[0]) {
        self[0].requests.add(new Request(req.method().name(), req.path(), MultiMap.caseInsensitiveMultiMap()
            .addAll(req.headers()), b.toString(), Instant.now(), a.status()));
      }
      if (a.retryAfter() != null) {
        req.response().putHeader("retry-after", a.retryAfter());
      }
      req.response().setStatusCode(a.status()).end("ok");
    }));
    self[0] = new Receiver(s);
    s.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return self[0];
  }

  private synchronized Answer next() {
    Answer a = script.poll();
    return a != null ? a : new Answer(fallback, null);
  }

  synchronized Receiver then(int status) {
    script.add(new Answer(status, null));
    return this;
  }

  synchronized Receiver then(int status, String retryAfter) {
    script.add(new Answer(status, retryAfter));
    return this;
  }

  /** The status of every request after the script. */
  void otherwise(int status) {
    fallback = status;
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  int port() {
    return server.actualPort();
  }

  synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  synchronized void clear() {
    requests.clear();
    script.clear();
    fallback = 200;
  }

  /** Waits (polling every 20 ms, at most {@code seconds}) until a request matches; returns it. */
  Request await(Predicate<Request> match, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      for (Request r : requests()) {
        if (match.test(r)) {
          return r;
        }
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what + "; received: " + requests());
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
