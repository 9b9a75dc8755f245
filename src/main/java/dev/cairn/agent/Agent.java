package dev.cairn.agent;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Bus;
import dev.cairn.bus.Messages;
import dev.cairn.compress.CompressorVerticle;
import dev.cairn.config.CairnConfig;
import dev.cairn.config.DatabaseConfig;
import dev.cairn.config.RepositoryEntry;
import dev.cairn.copy.CopyVerticle;
import dev.cairn.copy.Placement;
import dev.cairn.copy.Repositories;
import dev.cairn.conn.ConnSpec;
import dev.cairn.dump.Dumper;
import dev.cairn.dump.DumperVerticle;
import dev.cairn.dump.TableFilter;
import dev.cairn.engine.Pools;
import dev.cairn.http.HttpVerticle;
import dev.cairn.jobs.JobHistory;
import dev.cairn.jobs.JobsVerticle;
import dev.cairn.notify.NotifyVerticle;
import dev.cairn.restore.RestoreVerticle;
import dev.cairn.restoretest.RestoreTestVerticle;
import dev.cairn.retention.RetentionPolicy;
import dev.cairn.retention.RetentionVerticle;
import dev.cairn.schedule.SchedulerVerticle;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Leases;
import dev.cairn.storage.Repository;
import dev.cairn.storage.s3.S3Storage;
import dev.cairn.verify.VerifyVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.logging.Logger;

/**
 * The daemon: one Vert.x instance with one verticle per concern (compressor, jobs, dumper, retention,
 * HTTP admin, scheduler), talking over the event bus ({@link Addresses}). Start-up recovers from a
 * crash (partial files removed, interrupted jobs recorded as failed); stop cancels running backups.
 */
public final class Agent {
  private static final Logger LOG = Logger.getLogger("cairn.agent");

  private final Vertx vertx;
  private final Pools pools;
  private final CairnConfig config;
  private HttpVerticle http;
  /** One agent per repository: each repository's lock, held from start to stop, renewed in the background. */
  private List<Leases.Lease> locks;

  private Agent(Vertx vertx, Pools pools, CairnConfig config) {
    this.vertx = vertx;
    this.pools = pools;
    this.config = config;
  }

  /** Blocking start (call from a plain thread, e.g. main): returns once every verticle is deployed. */
  public static Future<Agent> start(CairnConfig config, Clock clock) {
    List<Backups.Entry> backups;
    List<Leases.Lease> locks = new ArrayList<>();
    Repositories repositories;
    try {
      repositories = open(config, locks);
    } catch (RuntimeException e) {
      locks.forEach(Leases.Lease::close);
      return Future.failedFuture(e);
    }
    // Each database's backups are written to the first repository of its list, then copied to the others
    // (CopyVerticle); the first configured keeps the agent's own records (job history, notifications, pitr).
    Repository repo = repositories.all().get(0).repository();
    Map<String, List<String>> routes = new LinkedHashMap<>();
    config.databases().forEach(db -> routes.put(db.name(),
        config.repositoriesOf(db).stream().map(RepositoryEntry::name).toList()));
    Placement placement = new Placement(repositories, routes);
    try {
      backups = placement.list();
    } catch (RuntimeException e) {
      locks.forEach(Leases.Lease::close);
      return Future.failedFuture(e);
    }
    int maxJobs = config.databases().stream().mapToInt(DatabaseConfig::jobs).max().orElse(1);
    Vertx vertx = Vertx.vertx(Pools.vertxOptions(maxJobs * config.agent().maxConcurrentJobs()));
    Bus.register(vertx);
    Pools pools = Pools.create(vertx, maxJobs * config.agent().maxConcurrentJobs());
    Agent agent = new Agent(vertx, pools, config);
    agent.locks = locks;
    for (Repositories.Named named : repositories.all()) {
      if (named.repository().storage() instanceof S3Storage s3) {
        // parts of an upload whose writer is gone are billed until aborted: at start, then daily
        Runnable clean = () -> pools.io().executeBlocking(() -> s3.abortStaleUploads(S3Storage.STALE_UPLOAD_AGE))
            .onFailure(e -> LOG.warning(() -> "cannot abort stale uploads in " + named.location() + ": "
                + e.getMessage()));
        clean.run();
        vertx.setPeriodic(Duration.ofDays(1).toMillis(), t -> clean.run());
      }
    }

    List<DumperVerticle.Target> dumps = new ArrayList<>();
    List<SchedulerVerticle.Entry> schedules = new ArrayList<>();
    List<RestoreVerticle.Target> restoreTargets = new ArrayList<>();
    Map<String, Duration> maxAge = new LinkedHashMap<>();
    Map<String, Duration> slowAfter = new LinkedHashMap<>();
    List<RestoreTestVerticle.Target> restoreTests = new ArrayList<>();
    Map<String, Duration> maxTestAge = new LinkedHashMap<>();
    for (DatabaseConfig db : config.databases()) {
      ConnSpec spec = ConnSpec.parse(db.url());
      dumps.add(new DumperVerticle.Target(db.name(), spec, new Dumper.Options(db.jobs(),
          new TableFilter(db.tables(), db.excludeTables()), db.splitBytes(), db.chunkBytes(),
          db.lockTimeout().toMillis(), config.pgBin(), db.name(), dev.cairn.archive.Manifest.Content.of(db.content())),
          db.backupTimeout(), placement.of(db.name()).stream().skip(1).map(Repositories.Named::repository).toList()));
      // a backup dated in the future (clock skew) must not hide a missed run
      Instant lastGood = backups.stream().filter(b -> b.good() && db.name().equals(b.name())
              && !Latest.fromTheFuture(b, clock.instant()))
          .map(b -> b.summary().finished()).findFirst().orElse(null);
      schedules.add(new SchedulerVerticle.Entry(db.name(), db.schedule(), lastGood, db.verifySchedule(),
          db.restoreTest() == null ? null : db.restoreTest().schedule()));
      maxAge.put(db.name(), db.maxAge());
      if (db.slowAfter() != null) {
        slowAfter.put(db.name(), db.slowAfter());
      }
      restoreTargets.add(new RestoreVerticle.Target(db.name(), spec, db.jobs()));
      if (db.restoreTest() != null) {
        restoreTests.add(new RestoreTestVerticle.Target(db.name(), db.restoreTest(), db.jobs()));
        maxTestAge.put(db.name(), db.restoreTest().maxTestAge());
      }
    }
    JobHistory history = new JobHistory(repo.storage(), config.agent().historyLimit());
    agent.http = new HttpVerticle(config.http(), repo, pools, maxJobs, maxAge, clock).withRestoreTests(maxTestAge)
        .withPlacement(placement);
    // Not bound to a context: a failure must still be reported while the event loops shut down.
    Promise<Agent> started = Promise.promise();
    CompressorVerticle.deploy(vertx)
        .compose(x -> vertx.deployVerticle(new JobsVerticle(history, pools.io(), clock, config.agent().historyLimit())))
        .compose(x -> vertx.deployVerticle(new NotifyVerticle(config.notifications(), repo, maxAge, slowAfter,
            config.http().publicUrl(), clock, NotifyVerticle.Options.DEFAULTS).withBackups(placement::list)))
        .compose(x -> vertx.deployVerticle(new DumperVerticle(dumps, placement, pools, clock,
            config.agent().maxConcurrentJobs())))
        .compose(x -> vertx.deployVerticle(new RetentionVerticle(retentionScopes(config, repositories), pools.io(), clock)))
        .compose(x -> vertx.deployVerticle(new CopyVerticle(repositories, routes, pools, clock, maxJobs,
            new CopyVerticle.Retry(config.agent().copyAttempts(), config.agent().copyBackoff()))))
        .compose(x -> vertx.deployVerticle(new VerifyVerticle(placement, pools, clock, maxJobs, config.databases().stream()
            .filter(DatabaseConfig::verifyAfterBackup).map(DatabaseConfig::name).collect(Collectors.toSet()))))
        .compose(x -> vertx.deployVerticle(new RestoreVerticle(restoreTargets, placement, pools, clock, maxJobs,
            config.pgBin())))
        .compose(x -> vertx.deployVerticle(new RestoreTestVerticle(restoreTests, placement, pools, clock, config.pgBin())))
        .compose(x -> vertx.deployVerticle(agent.http))
        .compose(x -> config.clusters().isEmpty() ? Future.succeededFuture() : vertx.deployVerticle(
            new dev.cairn.pitr.PitrVerticle(config.clusters(), repo.storage(), config.pgBin(), clock)))
        .compose(x -> vertx.deployVerticle(new SchedulerVerticle(schedules, config.agent().retentionSchedule(),
            config.agent().runMissedOnStart(), clock), new DeploymentOptions()))
        .map(x -> {
          LOG.info(() -> "agent started: " + config.databases().size() + " databases, "
              + (repositories.all().size() > 1 ? "repositories " + String.join(", ", repositories.all().stream()
                  .map(n -> n.name() + " (" + n.location() + ")").toList()) : "repository " + repo.location())
              + ", http " + config.http().bind() + ":" + agent.http.actualPort());
          return agent;
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            started.complete(agent);
          } else {
            started.fail(ar.cause());
            agent.closeVertx();
          }
        });
    return started.future();
  }

  /** Opens every configured repository and takes its agent lock (added to {@code locks} as taken). */
  private static Repositories open(CairnConfig config, List<Leases.Lease> locks) {
    List<Repositories.Named> out = new ArrayList<>();
    // every repository encrypts and opens with the configured slots (a copy's verify needs them too); one
    // Keys for all, so a passphrase costs one scrypt per agent process, not one per repository
    dev.cairn.crypt.Keys keys = config.encryption().toKeys().prepare();
    for (RepositoryEntry e : config.repositories()) {
      Repository r = (e.local() != null ? Repository.openForWrite(e.local().path()) : Repository.of(e.remote().open()))
          .withKeys(keys);
      locks.add(r.lockForAgent());
      out.add(new Repositories.Named(e.name(), e.kind(), e.location(), r));
    }
    return new Repositories(out);
  }

  /**
   * Each repository's retention: its own policy for every database backed up to it, or (the single-repository
   * form) each database's own.
   */
  private static List<RetentionVerticle.Scope> retentionScopes(CairnConfig config, Repositories repositories) {
    List<RetentionVerticle.Scope> scopes = new ArrayList<>();
    for (RepositoryEntry e : config.repositories()) {
      List<RetentionVerticle.Target> targets = new ArrayList<>();
      for (DatabaseConfig db : config.databases()) {
        if (config.repositoriesOf(db).contains(e)) {
          var r = e.retention() != null ? e.retention() : db.retention();
          targets.add(new RetentionVerticle.Target(db.name(),
              new RetentionPolicy(r.keepLast(), r.keepDays(), r.keepDaily(), r.keepWeekly(), r.keepMonthly()),
              db.timezone()));
        }
      }
      scopes.add(new RetentionVerticle.Scope(e.name(), repositories.get(e.name()).orElseThrow().repository(), targets));
    }
    return scopes;
  }

  public Vertx vertx() {
    return vertx;
  }

  public int httpPort() {
    return http.actualPort();
  }

  /**
   * Stops taking jobs, cancels running backups (COPYs cancelled on the server, partial archives
   * removed, jobs recorded as cancelled), then closes everything. Bounded by the configured grace.
   */
  public Future<Void> stop(String reason) {
    LOG.info(() -> "stopping (" + reason + ")");
    Duration grace = config.agent().shutdownGrace();
    // Not bound to a context: it must still complete while the event loops shut down.
    Promise<Void> stopped = Promise.promise();
    vertx.eventBus().<Messages.ShutdownDone>request(Addresses.DUMPER_SHUTDOWN, new Messages.Shutdown(reason),
            new DeliveryOptions().setSendTimeout(Math.max(1000, grace.toMillis() - 1000)))
        .map(m -> {
          if (m.body().cancelled() > 0) {
            LOG.info(() -> "cancelled " + m.body().cancelled() + " running backup(s)");
          }
          return (Void) null;
        })
        .recover(e -> {
          LOG.warning(() -> "running backups did not stop in time: " + e.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> vertx.eventBus().<Messages.ShutdownDone>request(Addresses.COPY_SHUTDOWN,
                new Messages.Shutdown(reason), new DeliveryOptions().setSendTimeout(5000))
            .map(m -> (Void) null).recover(e -> Future.succeededFuture()))
        .compose(v -> vertx.eventBus().request(Addresses.RETENTION_DRAIN, new Messages.Flush(),
                new DeliveryOptions().setSendTimeout(5000)).map(m -> (Void) null)
            .recover(e -> Future.succeededFuture()))
        .compose(v -> vertx.eventBus().request(Addresses.JOBS_FLUSH, new Messages.Flush(),
            new DeliveryOptions().setSendTimeout(5000)))
        // done once the repositories' locks are released: an agent started right after finds them free
        .onComplete(x -> closeVertx().onComplete(y -> stopped.complete()));
    return stopped.future();
  }

  private Future<Void> closeVertx() {
    return pools.close().recover(e -> Future.succeededFuture()).compose(v -> vertx.close())
        .eventually(() -> {
          locks.forEach(Leases.Lease::close);
          return Future.succeededFuture();
        });
  }
}
