package dev.cairn.http;

import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Logger;

/** The agent's HTTP admin endpoint. Serves health; the API and console are issue #4. */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.http");

  private final String bind;
  private final int port;
  private final Repository repo;
  private final WorkerExecutor io;
  private final Map<String, Duration> maxAge;
  private final Clock clock;
  private HttpServer server;

  public HttpVerticle(String bind, int port, Repository repo, WorkerExecutor io, Map<String, Duration> maxAge,
      Clock clock) {
    this.bind = bind;
    this.port = port;
    this.repo = repo;
    this.io = io;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/api/v1/health").handler(this::health);
    return vertx.createHttpServer().requestHandler(router).listen(port, bind)
        .map(s -> {
          server = s;
          LOG.info(() -> "http admin on http://" + bind + ":" + s.actualPort() + "/api/v1/health");
          return s;
        });
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  private void health(RoutingContext rc) {
    io.executeBlocking(() -> Health.evaluate(Backups.list(repo), maxAge, clock.instant()), false)
        .onSuccess(r -> rc.response().setStatusCode(r.ok() ? 200 : 503).putHeader("content-type", "application/json")
            .end(r.json().encodePrettily()))
        .onFailure(e -> rc.response().setStatusCode(500).putHeader("content-type", "application/json")
            .end(new io.vertx.core.json.JsonObject().put("error", new io.vertx.core.json.JsonObject()
                .put("code", "REPO_READ").put("message", String.valueOf(e.getMessage()))).encode()));
  }
}
