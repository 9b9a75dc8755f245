package dev.cairn.notify;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.NotificationConfig;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Notifications: listens to job events, restore-test outcomes and its own {@link Watchdog}, and hands events to
 * the {@link Dispatcher}, which delivers them to the configured sinks through the outbox. Nothing here can
 * hold up or fail a job: events are published, never requested. Blocking work (outbox, Sentry, listing the
 * repository) runs on its own {@code cairn-notify} pool.
 */
public final class NotifyVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.notify");
  public static final Duration DEFAULT_CHECK_EVERY = Duration.ofMinutes(1);
  static final int POOL_SIZE = 2;

  /** How deliveries are retried and how often the watchdog looks. */
  public record Options(Retry retry, Duration checkEvery) {
    public static final Options DEFAULTS = new Options(Retry.DEFAULT, DEFAULT_CHECK_EVERY);

    /** For tests: retries {@code base} apart (doubling up to 8x), the watchdog every {@code checkEvery}. */
    public static Options of(Duration base, int attempts, Duration checkEvery) {
      return new Options(new Retry(base, base.multipliedBy(8), attempts), checkEvery);
    }
  }

  private final List<NotificationConfig> configs;
  private final Repository repo;
  private final Map<String, Duration> maxAge;
  private final Map<String, Duration> slowAfter;
  private final String publicUrl;
  private final Clock clock;
  private final Options options;
  private WorkerExecutor pool;
  private Sinks sinks;
  private Dispatcher dispatcher;
  private Watchdog watchdog;
  private JobEvents jobEvents;
  private final Conditions conditions = new Conditions();
  private boolean checking;
  private long timer = -1;
  private java.util.function.Supplier<List<dev.cairn.storage.Backups.Entry>> backups;

  public NotifyVerticle(List<NotificationConfig> configs, Repository repo, Map<String, Duration> maxAge,
      Map<String, Duration> slowAfter, String publicUrl, Clock clock, Options options) {
    this.configs = List.copyOf(configs);
    this.repo = repo;
    this.maxAge = Map.copyOf(maxAge);
    this.slowAfter = Map.copyOf(slowAfter);
    this.publicUrl = publicUrl;
    this.clock = clock;
    this.options = options;
    this.backups = () -> dev.cairn.storage.Backups.list(repo);
  }

  /**
   * Where the watchdog finds every database's backups when they are in several repositories (blocking; newest
   * first, as {@link dev.cairn.storage.Backups#list}); without this call, those of {@code repo}. Before deploying.
   */
  public NotifyVerticle withBackups(java.util.function.Supplier<List<dev.cairn.storage.Backups.Entry>> backups) {
    this.backups = backups;
    return this;
  }

  @Override
  public Future<?> start() {
    try {
      pool = vertx.createSharedWorkerExecutor("cairn-notify", POOL_SIZE);
      sinks = Sinks.create(vertx, configs, pool, clock);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    Links links = new Links(publicUrl);
    Outbox outbox = new Outbox(repo.storage());
    jobEvents = new JobEvents(links);
    dispatcher = new Dispatcher(vertx, sinks.byName(), outbox, pool, options.retry());
    watchdog = new Watchdog(repo, backups, pool, maxAge, slowAfter, clock, conditions, jobEvents, links, dispatcher::submit);
    vertx.eventBus().<Messages.NotifyTest>consumer(Addresses.NOTIFY_TEST, m -> {
      String only = m.body().sink();
      if (only != null && !sinks.has(only)) {
        m.fail(404, sinks.isEmpty() ? "no notifications are configured"
            : "no notification sink named " + only + " (configured: " + String.join(", ", sinks.byName().keySet()) + ")");
      } else if (sinks.isEmpty()) {
        m.fail(404, "no notifications are configured; add a notifications: list to the configuration");
      } else {
        sinks.test(only, publicUrl, clock.instant()).onSuccess(r -> m.reply(new Messages.NotifyTestReport(r)));
      }
    });
    if (sinks.isEmpty()) {
      return Future.succeededFuture();
    }
    vertx.eventBus().<Messages.JobUpdate>consumer(Addresses.JOB_EVENTS, m -> onJob(m.body().job()));
    vertx.eventBus().<Messages.RestoreTestFinished>consumer(Addresses.RESTORE_TEST_FINISHED,
        m -> dispatcher.submit(restoreTest(m.body(), links, clock.instant())));
    return pool.executeBlocking(() -> Map.entry(Conditions.load(repo.storage()), outbox.pending()), false)
        .recover(e -> {
          LOG.warning(() -> "cannot read the notification outbox in " + repo.location() + ": " + e.getMessage());
          return Future.succeededFuture(Map.entry(Set.of(), List.of()));
        })
        .map(state -> {
          conditions.replace(state.getKey());
          dispatcher.resume(state.getValue());
          timer = vertx.setPeriodic(0, options.checkEvery().toMillis(), t -> check());
          LOG.info(() -> "notifications: " + String.join(", ", sinks.byName().keySet())
              + (state.getValue().isEmpty() ? "" : "; " + state.getValue().size() + " pending from before"));
          return null;
        });
  }

  private void onJob(dev.cairn.jobs.Job j) {
    watchdog.onJob(j);
    jobEvents.of(j).forEach(dispatcher::submit);
  }

  static Event restoreTest(Messages.RestoreTestFinished r, Links links, java.time.Instant now) {
    return new Event(Event.newId(), r.passed() ? Event.Type.RESTORE_TEST_PASSED : Event.Type.RESTORE_TEST_FAILED,
        now, r.database(), r.backupId(), r.jobId(), r.duration(), 0, r.errorCode(), r.errorMessage(),
        r.hint() != null ? r.hint() : Hints.of(r.errorCode()),
        r.jobId() != null ? links.job(r.jobId()) : r.backupId() != null ? links.backup(r.backupId()) : links.home());
  }

  /** One watchdog round at a time; changed conditions are saved so a restart does not alert again. */
  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    watchdog.check().compose(changed -> {
      if (!changed) {
        return Future.succeededFuture();
      }
      byte[] state = conditions.encode();
      return pool.<Void>executeBlocking(() -> {
        Conditions.save(repo.storage(), state);
        return null;
      }, false).recover(e -> {
        LOG.warning(() -> "cannot save notification conditions: " + e.getMessage());
        return Future.succeededFuture();
      });
    }).onComplete(x -> checking = false);
  }

  @Override
  public Future<?> stop() {
    // before the pool closes: a round started after that would be refused
    vertx.cancelTimer(timer);
    return (sinks == null ? Future.succeededFuture() : sinks.close().recover(e -> Future.succeededFuture()))
        .compose(v -> pool == null ? Future.succeededFuture() : pool.close());
  }
}
