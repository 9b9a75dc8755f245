package dev.cairn.notify;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Delivers events to sinks without ever holding up the job that caused them: one FIFO queue per sink (one
 * delivery in flight each), bounded in all by {@link #MAX_PENDING}; retries with {@link Retry}; each delivery in
 * the {@link Outbox} from before its first attempt until it is done. Confined to the notify verticle's context.
 * Every outcome is published on {@link Addresses#NOTIFY_OUTCOME} for the metrics.
 */
final class Dispatcher {
  private static final Logger LOG = Logger.getLogger("cairn.notify");
  static final int MAX_PENDING = 1000;

  private static final class Pending {
    Outbox.Entry entry;
    final Future<Void> saved;

    Pending(Outbox.Entry entry, Future<Void> saved) {
      this.entry = entry;
      this.saved = saved;
    }
  }

  private final Vertx vertx;
  private final Map<String, Sink> sinks;
  private final Outbox outbox;
  private final WorkerExecutor pool;
  private final Retry retry;
  private final Map<String, ArrayDeque<Pending>> queues = new HashMap<>();
  private final Set<String> busy = new HashSet<>();
  private int pending;

  Dispatcher(Vertx vertx, Map<String, Sink> sinks, Outbox outbox, WorkerExecutor pool, Retry retry) {
    this.vertx = vertx;
    this.sinks = sinks;
    this.outbox = outbox;
    this.pool = pool;
    this.retry = retry;
  }

  /** Queues {@code e} for every sink whose filter selects it. */
  void submit(Event e) {
    for (Sink s : sinks.values()) {
      if (s.wants(e)) {
        enqueue(new Outbox.Entry(s.name(), e, 0), true);
      }
    }
  }

  /** Queues what the outbox held at start; entries of sinks no longer configured are dropped. */
  void resume(List<Outbox.Entry> entries) {
    for (Outbox.Entry en : entries) {
      if (sinks.containsKey(en.sink())) {
        LOG.info(() -> "resuming notification " + en.event().id() + " (" + en.event().type().code() + ") to "
            + en.sink());
        enqueue(en, false);
      } else {
        LOG.warning(() -> "dropping notification " + en.event().id() + ": sink " + en.sink() + " is not configured");
        pool.executeBlocking(() -> {
          outbox.remove(en.sink(), en.event().id());
          return null;
        }, false);
      }
    }
  }

  int pending() {
    return pending;
  }

  private void enqueue(Outbox.Entry en, boolean persist) {
    if (pending >= MAX_PENDING) {
      LOG.warning(() -> "notification queue full (" + MAX_PENDING + "): dropped " + en.event().id() + " ("
          + en.event().type().code() + ") for " + en.sink());
      outcome(en.sink(), false);
      return;
    }
    pending++;
    // a repository that cannot be written must not stop the alert that says so
    Future<Void> saved = !persist ? Future.succeededFuture() : pool.<Void>executeBlocking(() -> {
      outbox.put(en);
      return null;
    }, false).recover(ex -> {
      LOG.warning(() -> "notification " + en.event().id() + " for " + en.sink() + " is not in the outbox ("
          + ex.getMessage() + "): it is lost if the agent stops before it is delivered");
      return Future.succeededFuture();
    });
    queues.computeIfAbsent(en.sink(), k -> new ArrayDeque<>()).add(new Pending(en, saved));
    pump(en.sink());
  }

  private void pump(String name) {
    ArrayDeque<Pending> q = queues.get(name);
    if (q == null || q.isEmpty() || !busy.add(name)) {
      return;
    }
    Pending head = q.peek();
    Sink sink = sinks.get(name);
    head.saved.compose(v -> sink.deliver(head.entry.event())).onComplete(ar -> {
      Outbox.Entry en = head.entry;
      if (ar.succeeded()) {
        LOG.fine(() -> "notification " + en.event().id() + " delivered to " + name);
        finish(q, name, en, true);
        return;
      }
      DeliveryException d = ar.cause() instanceof DeliveryException x ? x
          : new DeliveryException(String.valueOf(ar.cause().getMessage()), false, null);
      int attempts = en.attempts() + 1;
      if (!d.retryable() || attempts >= retry.attempts()) {
        LOG.warning(() -> "notification " + en.event().id() + " (" + en.event().type().code() + ") to " + name
            + " (" + sink.kind() + ") not delivered after " + attempts + " attempt" + (attempts == 1 ? "" : "s")
            + ": " + d.getMessage());
        finish(q, name, en, false);
        return;
      }
      Duration wait = retry.delay(attempts, d.retryAfter());
      LOG.info(() -> "notification " + en.event().id() + " to " + name + " failed (attempt " + attempts + " of "
          + retry.attempts() + "): " + d.getMessage() + "; retrying in " + Text.duration(wait));
      head.entry = new Outbox.Entry(en.sink(), en.event(), attempts);
      vertx.setTimer(wait.toMillis(), t -> {
        busy.remove(name);
        pump(name);
      });
    });
  }

  private void finish(ArrayDeque<Pending> q, String name, Outbox.Entry en, boolean delivered) {
    q.poll();
    pending--;
    outcome(name, delivered);
    pool.executeBlocking(() -> {
      outbox.remove(en.sink(), en.event().id());
      return null;
    }, false).onFailure(ex -> LOG.warning(() -> "cannot remove notification " + en.event().id() + " from the outbox: "
        + ex.getMessage() + "; it may be sent again after a restart"));
    busy.remove(name);
    pump(name);
  }

  private void outcome(String name, boolean delivered) {
    Sink s = sinks.get(name);
    vertx.eventBus().publish(Addresses.NOTIFY_OUTCOME,
        new Messages.NotificationOutcome(name, s == null ? "unknown" : s.kind(), delivered));
  }
}
