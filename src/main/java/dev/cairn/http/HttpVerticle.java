package dev.cairn.http;

import dev.cairn.config.HttpConfig;
import dev.cairn.config.HttpConfig.Role;
import dev.cairn.copy.Placement;
import dev.cairn.copy.Repositories;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.PlatformHandler;
import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The agent's HTTP admin API under /api/v1 (docs/http-api.md, src/main/resources/cairn/openapi.yaml).
 * Every endpoint but health and the OpenAPI document needs a bearer token of the route's role; changing
 * requests are rate limited per token and audited. Handlers never block: file system work runs on the io
 * pool, backups and retention are jobs of their verticles, reached over the event bus.
 */
public final class HttpVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.http");
  static final String BASE = "/api/v1";
  static final String OPENAPI_RESOURCE = "/cairn/openapi.yaml";

  private final HttpConfig config;
  private final Repository repo;
  private final WorkerExecutor io;
  private final Pools pools;
  private final int verifyJobs;
  private final Map<String, Duration> maxAge;
  private final Clock clock;
  private HttpServer server;
  private Buffer openapi;
  private Buffer indexHtml;
  private volatile boolean exposed;
  private Map<String, Duration> maxTestAge = Map.of();
  private Repositories repositories;
  private Placement placement;

  public HttpVerticle(HttpConfig config, Repository repo, Pools pools, int verifyJobs, Map<String, Duration> maxAge,
      Clock clock) {
    this.config = config;
    this.repo = repo;
    this.pools = pools;
    this.io = pools.io();
    this.verifyJobs = verifyJobs;
    this.maxAge = maxAge;
    this.clock = clock;
  }

  /**
   * The databases with restore tests, to their {@code max_test_age} (null: no limit): health, metrics and
   * {@code GET /api/v1/restore-tests} cover them. Before deploying.
   */
  public HttpVerticle withRestoreTests(Map<String, Duration> maxTestAge) {
    this.maxTestAge = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(maxTestAge));
    return this;
  }

  /**
   * The configured repositories and which hold each database's backups (the API lists, shows, downloads and
   * verifies backups from there); without this call, {@code repo} alone, named local. Imports, the job history
   * and point-in-time recovery stay in {@code repo}.
   */
  public HttpVerticle withPlacement(Placement placement) {
    this.placement = placement;
    this.repositories = placement.repositories();
    return this;
  }

  @Override
  public Future<?> start() {
    if (placement == null) {
      placement = Placement.single(repo);
      repositories = placement.repositories();
    }
    return io.executeBlocking(() -> {
      exposed = config.tls() == null && !loopback(config.bind()); // may resolve a host name
      indexHtml = readResource(Console.INDEX_RESOURCE);
      return readResource(OPENAPI_RESOURCE);
    }, false).compose(doc -> {
      openapi = doc;
      // HTTP/1.1 only. No h2c: an upload refused before its body is read must close its connection, which
      // HTTP/2 forbids per request (the whole connection would go, with the other requests on it); browsers
      // never speak h2c, and the JDK client that asks for it falls back to HTTP/1.1.
      HttpServerOptions options = new HttpServerOptions().setHost(config.bind()).setPort(config.port())
          .setHttp2ClearTextEnabled(false)
          .setIdleTimeout((int) config.limits().idleTimeout().toMillis())
          .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
      if (config.tls() != null) {
        options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tls().cert().toString())
            .setKeyPath(config.tls().key().toString()));
      }
      Router router = router();
      ConnectionGuard guard = new ConnectionGuard(vertx, config.limits());
      return vertx.createHttpServer(options).connectionHandler(guard::connected).requestHandler(req -> {
        guard.request(req);
        // vertx-web cannot decode a path with a broken %-escape and would answer a bare 500
        if (!Input.wellEncoded(req.path())) {
          req.response().setStatusCode(400).putHeader("content-type", "application/json; charset=utf-8")
              .end(new JsonObject().put("error", new JsonObject().put("code", "USAGE")
                  .put("message", "the path has a malformed %-escape")).encode());
          return;
        }
        router.handle(req);
      }).listen().recover(e -> Future.failedFuture(bindError(e)));
    }).map(s -> {
      server = s;
      String scheme = config.tls() == null ? "http" : "https";
      LOG.info(() -> "http admin on " + scheme + "://" + config.bind() + ":" + s.actualPort() + BASE + " ("
          + config.tokens().size() + " tokens" + (config.tokens().isEmpty() ? ": only health, the OpenAPI document" + (config.metricsPublic() ? " and metrics" : "") + " are open" : "") + ")");
      if (exposed) {
        LOG.warning(() -> "http.bind " + config.bind() + " is not a loopback address and http.tls is not set:"
            + " bearer tokens cross the network in clear text");
      }
      return s;
    });
  }

  /** A port in use or an address not of this host is a configuration problem, not a bug. */
  private Throwable bindError(Throwable e) {
    if (!(e instanceof BindException)) {
      return e;
    }
    String where = "http.bind " + config.bind() + ":" + config.port();
    String msg = e.getMessage() == null ? "" : e.getMessage();
    if (msg.contains("in use")) {
      return new CairnException(ErrorCode.CONFIG, where + " is already in use",
          "set another http.port in the configuration, or stop the process listening there (another agent?)");
    }
    return new CairnException(ErrorCode.CONFIG, where + " cannot be bound: " + msg,
        "http.bind must be an address of this host (127.0.0.1 for local use)");
  }

  /** The port actually bound (useful when configured as 0). */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  private Router router() {
    Checksums checksums = new Checksums();
    Auth auth = new Auth(config.tokens(), new RateLimiter(config.rateLimitPerMinute(), clock));
    RepositoriesView where = new RepositoriesView(vertx, io, placement);
    BackupsApi backups = new BackupsApi(vertx, placement, io, checksums, where);
    ArchiveDownload download = new ArchiveDownload(vertx, placement, io, checksums);
    JobsApi jobs = new JobsApi(vertx);
    AgentApi agent = new AgentApi(vertx, placement, io, jobs, clock);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.maxBodyBytes());

    Router r = Router.router(vertx);
    PitrView pitr = new PitrView(vertx, io, repo, clock);
    r.get(BASE + "/health").handler(rc -> health(rc, jobs, pitr));
    Metrics metrics = new Metrics(vertx, placement, io, maxAge, clock);
    metrics.listen();
    new RestoreTestMetrics(vertx, placement, io, maxTestAge.keySet()).register(metrics.registry());
    RepositoryMetrics perRepository = new RepositoryMetrics(where, metrics.registry(), repositories.names());
    PitrMetrics perCluster = new PitrMetrics(pitr, metrics.registry());
    Handler<RoutingContext> scrape = rc -> perRepository.refresh().compose(x -> perCluster.refresh())
        .onComplete(x -> metrics.handle(rc));
    if (config.metricsPublic()) {
      r.get("/metrics").handler(scrape);
    } else {
      read(r.get("/metrics"), auth, Role.VIEWER, scrape);
    }
    r.get(BASE + "/openapi.yaml").handler(rc -> rc.response().putHeader("content-type", "application/yaml")
        .end(openapi));

    read(r.get(BASE + "/backups"), auth, Role.VIEWER, backups::list);
    // The body is an archive streamed to the repository, not JSON: no body handler.
    ImportApi imports = new ImportApi(vertx, repo, pools, checksums, config.maxImportBytes(), verifyJobs);
    r.post(BASE + "/backups/import").handler(platform(ImportApi::closeUnread))
        .handler(platform(Audit.action("backup.import")))
        .handler(platform(auth.require(Role.ADMIN))).handler(platform(auth.rateLimited())).handler(imports::handle);
    change(r.post(BASE + "/backups"), auth, Role.OPERATOR, "backup.start", body, backups::create);
    read(r.get(BASE + "/backups/:id"), auth, Role.VIEWER, backups::show);
    change(r.delete(BASE + "/backups/:id"), auth, Role.ADMIN, "backup.delete", body, backups::delete);
    DownloadTickets tickets = new DownloadTickets();
    change(r.post(BASE + "/backups/:id/download-ticket"), auth, Role.OPERATOR, "backup.download-ticket", body,
        rc -> download.ticket(rc, tickets, clock));
    for (Route route : new Route[] {r.get(BASE + "/backups/:id/archive"), r.head(BASE + "/backups/:id/archive")}) {
      route.handler(Audit.action("backup.download")).handler(auth.requireOrTicket(Role.OPERATOR, tickets, clock))
          .handler(download::handle);
    }
    ArchiveJobsApi archiveJobs = new ArchiveJobsApi(vertx, placement, io);
    change(r.post(BASE + "/backups/:id/verify"), auth, Role.OPERATOR, "backup.verify", body, archiveJobs::verify);
    change(r.post(BASE + "/backups/:id/restore"), auth, Role.ADMIN, "backup.restore", body, archiveJobs::restore);
    read(r.get(BASE + "/jobs"), auth, Role.VIEWER, jobs::list);
    read(r.get(BASE + "/jobs/:id"), auth, Role.VIEWER, jobs::show);
    change(r.delete(BASE + "/jobs/:id"), auth, Role.OPERATOR, "job.cancel", body, jobs::cancel);
    read(r.get(BASE + "/whoami"), auth, Role.VIEWER, HttpVerticle::whoami);
    PitrApi pitrApi = new PitrApi(vertx, pitr);
    read(r.get(BASE + "/pitr"), auth, Role.VIEWER, pitrApi::show);
    change(r.post(BASE + "/pitr/:cluster/test"), auth, Role.OPERATOR, "pitr.test", body, pitrApi::test);
    read(r.get(BASE + "/schedules"), auth, Role.VIEWER, agent::schedules);
    read(r.get(BASE + "/stats"), auth, Role.VIEWER, agent::stats);
    read(r.get(BASE + "/repositories"), auth, Role.VIEWER, where::list);
    read(r.get(BASE + "/databases/:name/retention-preview"), auth, Role.VIEWER, agent::retentionPreview);
    change(r.post(BASE + "/retention/run"), auth, Role.OPERATOR, "retention.run", body, agent::retention);
    change(r.post(BASE + "/notifications/test"), auth, Role.OPERATOR, "notifications.test", body,
        new NotificationsApi(vertx)::test);
    RestoreTestsApi restoreTests = new RestoreTestsApi(vertx, placement, io, maxTestAge.keySet());
    change(r.post(BASE + "/backups/:id/test"), auth, Role.OPERATOR, "backup.test", body, restoreTests::test);
    read(r.get(BASE + "/restore-tests"), auth, Role.VIEWER, restoreTests::list);

    Console.mount(r, indexHtml);

    r.route().failureHandler(HttpVerticle::failure);
    for (int status : new int[] {400, 404, 405, 413, 415, 500}) {
      r.errorHandler(status, HttpVerticle::failure);
    }
    return r;
  }

  /** {name, role} of the presenting token: the console shows only what the role may do. */
  private static void whoami(RoutingContext rc) {
    Input.query(rc, List.of());
    HttpConfig.Token t = Auth.token(rc);
    Http.send(rc, 200, new JsonObject().put("name", t.name()).put("role", t.role().label()));
  }

  private static void read(Route route, Auth auth, Role role, Handler<RoutingContext> h) {
    route.handler(auth.require(role)).handler(h);
  }

  private static void change(Route route, Auth auth, Role role, String action, BodyHandler body,
      Handler<RoutingContext> h) {
    // Who may, and how often, is checked before the body is read: an anonymous client cannot make the
    // agent buffer anything. Vert.x orders handlers by kind, so these run as platform handlers.
    route.handler(platform(Audit.action(action))).handler(platform(auth.require(role)))
        .handler(platform(auth.rateLimited())).handler(body).handler(h);
  }

  private static PlatformHandler platform(Handler<RoutingContext> h) {
    return h::handle;
  }

  private static void failure(RoutingContext rc) {
    Throwable t = rc.failure();
    ApiError e;
    if (t == null || t instanceof HttpException) {
      int status = t instanceof HttpException h ? h.getStatusCode() : rc.statusCode();
      e = ApiError.ofStatus(status < 0 ? 500 : status);
    } else {
      e = ApiError.from(t);
    }
    e.send(rc);
  }

  /** Health, and the problems the console's summary row names (from the backups and the recent jobs). */
  private void health(RoutingContext rc, JobsApi jobs, PitrView pitr) {
    RepositoriesView where = new RepositoriesView(vertx, io, placement);
    // health answers even when the jobs registry does not: then without the problems that come from jobs
    jobs.jobs(null, false, 0).recover(e -> Future.succeededFuture(List.of())).compose(js -> pitr.report()
        .compose(p -> io.executeBlocking(() -> {
      List<Backups.Entry> backups = placement.list();
      Health.Report h = RestoreTestHealth.amend(Health.evaluate(backups, maxAge, clock.instant()), maxTestAge,
          RestoreTestHealth.last(placement, maxTestAge.keySet()), clock.instant());
      h = Health.withPitr(h, p);
      h.json().put("problems", Problems.json(Problems.of(h.json(), js, backups, maxAge)));
      return h;
    }, false)))
        .compose(h -> where.several() ? where.states().map(s -> RepositoriesView.withRepositories(h, s))
            : Future.succeededFuture(h))
        .onSuccess(r -> rc.response().setStatusCode(r.ok() ? 200 : 503).putHeader("content-type", "application/json")
            .putHeader("cache-control", "no-store").end(r.json().encodePrettily()))
        .onFailure(e -> ApiError.from(e).send(rc));
  }

  private static Buffer readResource(String resource) throws IOException {
    try (InputStream in = HttpVerticle.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("resource " + resource + " is missing from the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private static boolean loopback(String bind) {
    if (bind.equals("localhost")) {
      return true;
    }
    try {
      return InetAddress.getByName(bind.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }
}
