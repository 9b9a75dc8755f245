package dev.cairn.pitr;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.ClusterConfig;
import dev.cairn.schedule.Schedule;
import dev.cairn.storage.Storage;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The agent's point-in-time recovery: per cluster a {@link WalReceiver} (its own thread, for the agent's life),
 * a {@link LagMonitor} every {@link #CHECK} on the {@code cairn-pitr} pool (at once at start), base backups on the
 * cluster's schedule (and at start when it has none), each followed by {@link PitrRetention}, and the cluster's
 * {@link PitrTest} on its schedule or on request ({@link Addresses#PITR_TEST}). The last state of each cluster is kept here (seeded from {@code state.json})
 * and answered on {@link Addresses#PITR_QUERY}, so health and the API never run pg_waldump; the restore-test
 * schedules on {@link Addresses#PITR_SCHEDULES}. Its stop cancels the running restore tests (their throwaway servers
 * stopped and removed, the tests recorded as cancelled), waiting for them at most {@link #STOP_WAIT}.
 */
public final class PitrVerticle extends AbstractVerticle {
  private static final Logger LOG = Logger.getLogger("cairn.pitr");
  static final Duration CHECK = Duration.ofSeconds(5);
  /** How long the agent's stop waits for its cancelled restore tests to clean up and be recorded. */
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final List<ClusterConfig> clusters;
  private final Storage storage;
  private final Path pgBin;
  private final Clock clock;
  private final List<WalReceiver> receivers = new ArrayList<>();
  private final Set<String> busy = new HashSet<>();
  /** On this verticle's context only: the last state of each cluster, why its last check failed, what changed. */
  private final Map<String, JsonObject> states = new LinkedHashMap<>();
  private final Map<String, String> errors = new HashMap<>();
  private final Set<String> changed = new HashSet<>();
  private final Map<String, Runnable> tests = new HashMap<>();
  private final Map<String, Running> running = new HashMap<>();
  private WorkerExecutor pool;

  /** A restore test under way: what stops it, and its end (once recorded). */
  private record Running(PitrTest test, Future<PitrTestResult> end) {}

  public PitrVerticle(List<ClusterConfig> clusters, Storage storage, Path pgBin, Clock clock) {
    this.clusters = List.copyOf(clusters);
    this.storage = storage;
    this.pgBin = pgBin;
    this.clock = clock;
  }

  @Override
  public void start(Promise<Void> started) {
    try {
      // a base backup and a restore test each hold a thread for their whole run, a lag check for milliseconds
      pool = vertx.createSharedWorkerExecutor("cairn-pitr", 3 * clusters.size(), TimeUnit.DAYS.toNanos(1),
          TimeUnit.NANOSECONDS);
      vertx.eventBus().consumer(Addresses.PITR_QUERY, m -> {
        PitrReport.Report r = PitrReport.of(states, errors, clock.instant());
        m.reply(r.json().copy().put("ok", r.ok()));
      });
      vertx.eventBus().consumer(Addresses.PITR_SCHEDULES, m -> m.reply(testSchedules()));
      vertx.eventBus().<String>consumer(Addresses.PITR_TEST, m -> {
        Runnable t = tests.get(m.body());
        if (t == null) {
          m.fail(404, "no cluster " + m.body() + " in the agent's configuration");
        } else if (busy.contains("test-" + m.body())) {
          m.fail(409, "a restore test of cluster " + m.body() + " is running");
        } else {
          t.run();
          m.reply(new JsonObject().put("cluster", m.body()).put("started", clock.instant().toString()));
        }
      });
      for (ClusterConfig c : clusters) {
        states.put(c.name(), null);
        PitrStore store = new PitrStore(storage, c.name());
        ClusterConn conn = new ClusterConn(c.url());
        WalReceiver r = new WalReceiver(store, conn, c.slot(), c.spool(), pgBin).start();
        receivers.add(r);
        LagMonitor lag = new LagMonitor(c, store, conn, r, pgBin);
        pool.executeBlocking(() -> store.state().orElse(null), false).onComplete(seed -> {
          if (seed.succeeded() && seed.result() != null && states.get(c.name()) == null) {
            states.put(c.name(), seed.result());
          }
          check(c, lag);
          vertx.setPeriodic(CHECK.toMillis(), id -> check(c, lag));
        });
        pool.executeBlocking(() -> store.bases().isEmpty(), false).onComplete(ar -> {
          if (ar.succeeded() && ar.result()) {
            backup(c, store, conn);
          }
          every(c.baseSchedule(), () -> backup(c, store, conn));
        });
        tests.put(c.name(), () -> test(c, store, conn));
        if (c.restoreTest() != null && c.restoreTest().schedule() != null) {
          every(c.restoreTest().schedule(), () -> test(c, store, conn));
        }
      }
      started.complete();
    } catch (RuntimeException e) {
      started.fail(e);
    }
  }

  private void check(ClusterConfig c, LagMonitor lag) {
    boolean refresh = changed.remove(c.name());
    this.<JsonObject>once("lag-" + c.name(), () -> lag.check(clock.instant(), refresh)).onComplete(ar -> {
      if (ar.succeeded() && ar.result() != null) {
        states.put(c.name(), ar.result());
        errors.remove(c.name());
      } else if (ar.succeeded()) {
        if (refresh) {
          changed.add(c.name()); // the previous check still runs: the next one computes the window
        }
      } else {
        errors.put(c.name(), ar.cause().getMessage());
        if (refresh) {
          changed.add(c.name());
        }
      }
    });
  }

  /** Runs {@code work} on the pool unless the previous run of the same name is still going (then: null). */
  private <T> Future<T> once(String name, Callable<T> work) {
    if (!busy.add(name)) {
      return Future.succeededFuture();
    }
    return pool.executeBlocking(work, false).onComplete(ar -> {
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
    }).onComplete(ar -> changed.add(c.name()));
  }

  private void test(ClusterConfig c, PitrStore store, ClusterConn conn) {
    if (running.containsKey(c.name())) {
      return; // the previous test still runs
    }
    Duration timeout = c.restoreTest() == null ? ClusterConfig.RestoreTest.DEFAULT_TIMEOUT : c.restoreTest().timeout();
    PitrTest test = new PitrTest(store, conn, SelfCommand.of(), pgBin, clock);
    Future<PitrTestResult> end = once("test-" + c.name(), () -> {
      PitrTestResult r = test.run(timeout);
      PitrTestLog.add(store, r);
      return r;
    });
    running.put(c.name(), new Running(test, end));
    end.onComplete(ar -> running.remove(c.name())).onSuccess(r -> {
      changed.add(c.name());
      Duration took = Duration.between(r.started(), r.finished());
      vertx.eventBus().publish(Addresses.RESTORE_TEST_FINISHED, new Messages.RestoreTestFinished(c.name(),
          r.baseBackup(), null, r.passed(), r.finished(), took, Duration.ofMillis(r.restoreMs()),
          List.of("sentinel row after a restore of cluster " + c.name() + " to latest"), r.errorCode(), r.message(),
          r.hint()));
    });
  }

  /** The clusters' restore-test schedules, as {@link Addresses#PITR_SCHEDULES} answers them. */
  private JsonObject testSchedules() {
    JsonArray out = new JsonArray();
    for (ClusterConfig c : clusters) {
      Schedule s = c.restoreTest() == null ? null : c.restoreTest().schedule();
      if (s == null) {
        continue;
      }
      JsonArray next = new JsonArray();
      s.nextRuns(ZonedDateTime.now(clock.withZone(s.zone())), Schedule.LISTED_RUNS)
          .forEach(t -> next.add(t.toOffsetDateTime().toString()));
      JsonObject state = states.get(c.name());
      out.add(new JsonObject().put("cluster", c.name()).put("cron", new JsonArray(List.copyOf(s.expressions())))
          .put("timezone", s.zone().getId()).put("nextRuns", next)
          .put("lastTest", state == null ? null : state.getJsonObject("restore_test"))
          .put("running", busy.contains("test-" + c.name())));
    }
    return new JsonObject().put("schedules", out);
  }

  /** Runs {@code task} at each of the schedule's times, from now on. */
  private void every(Schedule schedule, Runnable task) {
    ZonedDateTime now = ZonedDateTime.now(clock.withZone(schedule.zone()));
    schedule.next(now).ifPresent(next -> vertx.setTimer(Math.max(1, Duration.between(now, next).toMillis()), id -> {
      task.run();
      every(schedule, task);
    }));
  }

  @Override
  public void stop(Promise<Void> stopped) {
    List<WalReceiver> all = List.copyOf(receivers);
    Future<Void> streams = vertx.executeBlocking(() -> {
      all.forEach(WalReceiver::close);
      return null;
    }, false);
    Future.join(cancelTests(), streams).eventually(() -> pool == null ? Future.succeededFuture() : pool.close())
        .onComplete(ar -> stopped.complete());
  }

  /**
   * Cancels the running restore tests (their servers stopped, directories removed, results recorded as cancelled)
   * and waits for them at most {@link #STOP_WAIT}: then says which are left, and where.
   */
  private Future<Void> cancelTests() {
    List<Future<?>> ends = new ArrayList<>();
    running.forEach((name, r) -> {
      LOG.info("cancelling the restore test of cluster " + name + " as the agent stops");
      ends.add(vertx.executeBlocking(() -> {
        r.test().cancel("the restore test of cluster " + name + " was cancelled as the agent stopped",
            "run it again with cairn pitr test --cluster " + name);
        return null;
      }, false));
      ends.add(r.end());
    });
    Map<String, Running> left = Map.copyOf(running);
    return Future.join(ends).timeout(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS).<Void>mapEmpty().recover(e -> {
      left.forEach((name, r) -> {
        if (!r.end().isComplete()) {
          Path dir = r.test().serverDir();
          LOG.warning("the restore test of cluster " + name + " did not end within " + STOP_WAIT.toSeconds() + " s of"
              + " the agent's stop" + (dir == null ? "" : ": its throwaway server may still run in " + dir
              + " (pg_ctl -D " + dir.resolve("data") + " stop -m immediate, then remove " + dir + ")"));
        }
      });
      return Future.succeededFuture();
    });
  }
}
