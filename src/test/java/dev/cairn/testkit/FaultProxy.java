package dev.cairn.testkit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP proxy on loopback in front of an S3 server that injects faults into chosen requests: an S3
 * error answer (503 SlowDown, a refusal), a connection closed in the middle of the request body, a
 * request never answered (a stalled connection), or a request carried out whose answer is lost (the
 * connection closes instead). Requests pass unchanged otherwise (the Host header
 * too, so signatures still hold). Each rule fires a given number of times; {@link #fired} tells a test
 * that its faults really happened.
 */
public final class FaultProxy implements AutoCloseable {
  public enum Fault { SLOW_DOWN, RESET_MID_BODY, STALL, REFUSE, LOSE_ANSWER }

  private record Rule(Predicate<HttpServerRequest> match, Fault fault, AtomicInteger remaining) {}

  /** UploadPart: PUT ?partNumber=N&uploadId=... */
  public static final Predicate<HttpServerRequest> UPLOAD_PART =
      r -> r.method() == HttpMethod.PUT && r.getParam("partNumber") != null;
  /** CompleteMultipartUpload: POST ?uploadId=... */
  public static final Predicate<HttpServerRequest> COMPLETE =
      r -> r.method() == HttpMethod.POST && r.getParam("uploadId") != null;
  /** PutObject of an archive. */
  public static final Predicate<HttpServerRequest> PUT_ARCHIVE =
      r -> r.method() == HttpMethod.PUT && r.path().endsWith(".cairn") && r.getParam("partNumber") == null;

  private final Vertx vertx = Vertx.vertx();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final AtomicInteger fired = new AtomicInteger();
  private final HttpServer server;
  private final HttpClient client;
  private final URI target;

  private FaultProxy(URI target) throws Exception {
    this.target = target;
    this.client = vertx.createHttpClient();
    this.server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
        .await(10, TimeUnit.SECONDS);
  }

  public static FaultProxy start(URI target) throws Exception {
    return new FaultProxy(target);
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** Injects {@code fault} into the next {@code times} requests that {@code match}. */
  public FaultProxy inject(Predicate<HttpServerRequest> match, Fault fault, int times) {
    rules.add(new Rule(match, fault, new AtomicInteger(times)));
    return this;
  }

  /** Faults injected so far. */
  public int fired() {
    return fired.get();
  }

  private void handle(HttpServerRequest req) {
    for (Rule r : rules) {
      if (r.match().test(req) && r.remaining().getAndDecrement() > 0) {
        fired.incrementAndGet();
        switch (r.fault()) {
          case SLOW_DOWN -> req.body().onComplete(x -> error(req, 503, "SlowDown", "Please reduce your request rate."));
          case REFUSE -> req.body().onComplete(x -> error(req, 400, "InvalidPart", "One or more parts could not be found."));
          case STALL -> req.pause(); // read nothing, answer nothing: the client's idle timeout must act
          case RESET_MID_BODY -> req.handler(b -> req.connection().shutdown(0, TimeUnit.MILLISECONDS));
          case LOSE_ANSWER -> forward(req, true);
        }
        return;
      }
    }
    forward(req, false);
  }

  private static void error(HttpServerRequest req, int status, String code, String message) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/xml")
        .end("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
            + "</Message></Error>");
  }

  private void forward(HttpServerRequest req, boolean loseAnswer) {
    req.body().compose(body -> {
      RequestOptions o = new RequestOptions().setMethod(req.method()).setURI(req.uri())
          .setServer(SocketAddress.inetSocketAddress(target.getPort(), target.getHost()))
          .setHost(req.authority().host()).setPort(req.authority().port());
      req.headers().forEach(h -> {
        if (!h.getKey().equalsIgnoreCase("Host") && !h.getKey().equalsIgnoreCase("Content-Length")) {
          o.addHeader(h.getKey(), h.getValue());
        }
      });
      return client.request(o).compose(out -> out.send(body)).compose(resp -> resp.body().map(b -> {
        if (loseAnswer) {
          return req.connection().shutdown(0, TimeUnit.MILLISECONDS);
        }
        var r = req.response().setStatusCode(resp.statusCode());
        resp.headers().forEach(h -> {
          boolean length = h.getKey().equalsIgnoreCase("Content-Length");
          // a HEAD answer's Content-Length is the object's size: kept; elsewhere Vert.x sets it from the body
          if ((!length || req.method() == HttpMethod.HEAD) && !h.getKey().equalsIgnoreCase("Transfer-Encoding")) {
            r.putHeader(h.getKey(), h.getValue());
          }
        });
        return req.method() == HttpMethod.HEAD ? r.end() : r.end(b);
      }));
    }).onFailure(e -> req.response().setStatusCode(502).end(Buffer.buffer("proxy: " + e.getMessage())));
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
