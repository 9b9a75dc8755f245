package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.CountDownLatch;

/** The driver's event loops, and the one place where its blocking methods wait for their futures. */
final class Blocking {
  private static volatile Vertx shared;

  private Blocking() {}

  /** The driver's own small Vert.x (daemon loops): the CLI opens a repository before its engine starts. */
  static Vertx vertx() {
    Vertx v = shared;
    if (v == null) {
      synchronized (Blocking.class) {
        if (shared == null) {
          // Its loops run short callbacks only, but the first connection loads Netty's and Vert.x's HTTP
          // client classes on a loop: 2.1 to 2.6 s was seen on a 2-core host at load 24, so the
          // blocked-thread warning starts at 5 s here (2 s elsewhere).
          shared = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1)
              .setInternalBlockingPoolSize(1).setUseDaemonThread(true)
              .setMaxEventLoopExecuteTime(5).setMaxEventLoopExecuteTimeUnit(java.util.concurrent.TimeUnit.SECONDS));
        }
        v = shared;
      }
    }
    return v;
  }

  /**
   * Waits on the calling (worker) thread; never on an event loop, whose wait would stall every request.
   * CairnExceptions as they are, anything else as REPO_READ naming the store.
   */
  static <T> T await(Future<T> f, String location) {
    if (Context.isOnEventLoopThread()) {
      throw new CairnException(ErrorCode.INTERNAL, "the S3 driver was called on an event loop ("
          + Thread.currentThread().getName() + "); it blocks: call it from a worker pool");
    }
    CountDownLatch done = new CountDownLatch(1);
    f.onComplete(ar -> done.countDown());
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "interrupted while waiting for " + location);
    }
    if (f.succeeded()) {
      return f.result();
    }
    if (f.cause() instanceof CairnException c) {
      throw c;
    }
    throw new CairnException(ErrorCode.REPO_READ, "request to " + location + " failed: " + f.cause().getMessage(),
        null, null, f.cause());
  }
}
