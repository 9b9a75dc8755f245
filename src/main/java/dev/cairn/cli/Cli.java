package dev.cairn.cli;

import dev.cairn.bus.Bus;
import dev.cairn.compress.CompressorVerticle;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.log.Logs;
import dev.cairn.storage.Backups;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.logging.Logger;

/** What the commands share: logging setup and running one engine job on a Vert.x context. */
final class Cli {
  static final int CLOSE_BOUND_SECONDS = 10;
  private static final Logger LOG = Logger.getLogger("cairn.cli");

  private Cli() {}

  /** Plain-text log lines on stderr; the data goes to stdout. */
  static void setupLogging(boolean verbose) {
    Logs.setup("text", verbose ? "debug" : "info");
  }

  /**
   * Runs {@code job} on a fresh Vert.x context and waits for it on this (main) thread. SIGINT/SIGTERM
   * call {@code onCancel} and give the job 10 seconds to clean up.
   */
  static <T> T await(int jobs, BiFunction<Vertx, Pools, Future<T>> job, Runnable[] onCancel) {
    Vertx vertx = Vertx.vertx(Pools.vertxOptions(jobs));
    Bus.register(vertx);
    Pools pools = Pools.create(vertx, jobs);
    AtomicReference<Object> outcome = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(1);
    SignalGuard guard = new SignalGuard(() -> {
      if (onCancel != null && onCancel[0] != null) {
        onCancel[0].run();
      }
    });
    vertx.getOrCreateContext().runOnContext(v -> {
      CompressorVerticle.deploy(vertx).compose(d -> {
        try {
          return job.apply(vertx, pools);
        } catch (RuntimeException e) {
          return Future.<T>failedFuture(e);
        }
      }).onComplete(ar -> {
        outcome.set(ar.succeeded() ? new Object[] {ar.result()} : ar.cause());
        done.countDown();
        guard.close();
      });
    });
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "interrupted");
    } finally {
      guard.close();
      if (!close(vertx, pools)) {
        LOG.warning(() -> "shutting down took longer than " + CLOSE_BOUND_SECONDS + " s (a connection, timer or"
            + " worker was left open); exiting without waiting further");
      }
    }
    Object o = outcome.get();
    if (o instanceof Throwable t) {
      throw t instanceof CairnException ce ? ce : CairnException.wrap(t, ErrorCode.INTERNAL, "unexpected error");
    }
    @SuppressWarnings("unchecked")
    T result = (T) ((Object[]) o)[0];
    return result;
  }

  /**
   * While open, SIGINT/SIGTERM run {@code cancel} and hold the JVM's exit until it is closed, at most
   * {@link #CLOSE_BOUND_SECONDS}: the work it guards gets to clean up. Closing twice is harmless.
   */
  static final class SignalGuard implements AutoCloseable {
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;

    SignalGuard(Runnable cancel) {
      hook = new Thread(() -> {
        if (done.getCount() > 0) {
          cancel.run();
          try {
            done.await(CLOSE_BOUND_SECONDS, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }, "cairn-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // already shutting down: the hook is running
      }
    }
  }

  /**
   * Closes the pools, then Vert.x; whether that finished within {@link #CLOSE_BOUND_SECONDS}. Everything
   * the job opened is closed by the time it completes, so a close that runs out its bound is a leak.
   */
  static boolean close(Vertx vertx, Pools pools) {
    CountDownLatch closed = new CountDownLatch(1);
    pools.close().eventually(vertx::close).onComplete(x -> closed.countDown());
    try {
      return closed.await(CLOSE_BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** "app-20261121T020000Z (database app, finished 2026-11-21T02:03:04Z, 1.2 GiB)", for confirmations. */
  static String describe(Backups.Entry e) {
    if (!e.readable()) {
      return e.id() + " (damaged: " + e.damage() + ")";
    }
    return e.id() + " (database " + e.summary().database() + ", finished "
        + e.summary().finished().truncatedTo(ChronoUnit.SECONDS) + ", " + bytes(e.bytes())
        + (e.good() ? "" : ", failed verification") + ")";
  }

  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }

  /** "10s", "500ms", "2m", or plain milliseconds. */
  static long millis(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Long.parseLong(t.substring(0, t.length() - 2));
      } else if (t.endsWith("s")) {
        return Long.parseLong(t.substring(0, t.length() - 1)) * 1000;
      } else if (t.endsWith("m")) {
        return Long.parseLong(t.substring(0, t.length() - 1)) * 60_000;
      }
      return Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new CairnException(ErrorCode.USAGE, "\"" + s + "\" is not a duration", "write e.g. 10s, 500ms or 2m");
    }
  }

  /** "64MB", "4MiB", "512k", or plain bytes. */
  static long size(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "B");
    long mult = 1;
    if (t.endsWith("KB") || t.endsWith("K")) {
      mult = 1L << 10;
    } else if (t.endsWith("MB") || t.endsWith("M")) {
      mult = 1L << 20;
    } else if (t.endsWith("GB") || t.endsWith("G")) {
      mult = 1L << 30;
    }
    String num = t.replaceAll("[KMGB]+$", "");
    try {
      return Long.parseLong(num) * mult;
    } catch (NumberFormatException e) {
      throw new CairnException(ErrorCode.USAGE, "\"" + s + "\" is not a size", "write e.g. 64MB, 4MiB or 512k");
    }
  }
}
