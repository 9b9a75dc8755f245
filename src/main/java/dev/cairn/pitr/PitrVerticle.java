package dev.cairn.pitr;

import dev.cairn.config.ClusterConfig;
import dev.cairn.storage.Storage;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent's point-in-time recovery: per cluster a {@link WalReceiver} (its own thread, for the agent's life),
 * a {@link LagMonitor} every {@link #CHECK} on the {@code cairn-pitr} pool, and base backups on the cluster's
 * schedule (and at start when it has none), each followed by {@link PitrRetention}.
 */
public final class PitrVerticle extends AbstractVerticle {
  private static final Logger LOG = Logger.getLogger("cairn.pitr");
  static final Duration CHECK = Duration.ofSeconds(5);

  private final List<ClusterConfig> clusters;
  private final Storage storage;
  private final Path pgBin;
  private final Clock clock;
  private final List<WalReceiver> receivers = new ArrayList<>();
  private final Set<String> busy = new HashSet<>();
  private WorkerExecutor pool;

  public PitrVerticle(List<ClusterConfig> clusters, Storage storage, Path pgBin, Clock clock) {
    this.clusters = List.copyOf(clusters);
    this.storage = storage;
    this.pgBin = pgBin;
    this.clock = clock;
  }

  @Override
  public void start(Promise<Void> started) {
    try {
      // a base backup holds a thread for its whole run, a lag check for milliseconds: two per cluster
      pool = vertx.createSharedWorkerExecutor("cairn-pitr", 2 * clusters.size(), TimeUnit.DAYS.toNanos(1),
          TimeUnit.NANOSECONDS);
      for (ClusterConfig c : clusters) {
        PitrStore store = new PitrStore(storage, c.name());
        ClusterConn conn = new ClusterConn(c.url());
        WalReceiver r = new WalReceiver(store, conn, c.slot(), c.spool(), pgBin).start();
        receivers.add(r);
        LagMonitor lag = new LagMonitor(c, store, conn, r);
        vertx.setPeriodic(CHECK.toMillis(), id -> once("lag-" + c.name(), () -> lag.check(clock.instant())));
        pool.executeBlocking(() -> store.bases().isEmpty(), false).onComplete(ar -> {
          if (ar.succeeded() && ar.result()) {
            backup(c, store, conn);
          }
          schedule(c, store, conn);
        });
      }
      started.complete();
    } catch (RuntimeException e) {
      started.fail(e);
    }
  }

  /** Runs {@code work} on the pool unless the previous run of the same name is still going. */
  private Future<Void> once(String name, java.util.concurrent.Callable<?> work) {
    if (!busy.add(name)) {
      return Future.succeededFuture();
    }
    return pool.executeBlocking(work, false).<Void>mapEmpty().onComplete(ar -> {
      busy.remove(name);
      if (ar.failed()) {
        LOG.warning(name + ": " + ar.cause().getMessage());
      }
    });
  }

  private void backup(ClusterConfig c, PitrStore store, ClusterConn conn) {
    once("base-" + c.name(), () -> {
      BaseInfo b = new BaseBackup(store, conn, c.slot(), pgBin, clock).run();
      PitrRetention.Decision d = PitrRetention.apply(store, c.keepBaseBackups());
      LOG.info("base backup " + b.id() + " of cluster " + c.name() + " done (WAL " + b.start() + " .. " + b.stop()
          + "); retention deleted " + d.deleteBases().size() + " base backups and " + d.deleteWal().size()
          + " WAL files");
      return b;
    });
  }

  private void schedule(ClusterConfig c, PitrStore store, ClusterConn conn) {
    ZonedDateTime now = ZonedDateTime.now(clock.withZone(c.baseSchedule().zone()));
    c.baseSchedule().next(now).ifPresent(next -> vertx.setTimer(Math.max(1, Duration.between(now, next).toMillis()), id -> {
      backup(c, store, conn);
      schedule(c, store, conn);
    }));
  }

  @Override
  public void stop(Promise<Void> stopped) {
    List<WalReceiver> all = List.copyOf(receivers);
    vertx.executeBlocking(() -> {
      all.forEach(WalReceiver::close);
      return null;
    }, false).eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .onComplete(ar -> stopped.complete());
  }
}
