package dev.cairn.engine;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The named, bounded worker pools of the data plane. A running COPY holds a {@code cairn-copy} thread for
 * its whole duration, so that pool has one thread per job; file and process work (pg_dump, fsync) goes
 * to {@code cairn-io}. Compression has its own pool, owned by the compressor verticle. Copies of archives
 * between repositories stream for as long as an archive takes to move, on {@code cairn-transfer}, so that a
 * slow off-host copy never holds the threads pg_dump and fsync need.
 */
public record Pools(WorkerExecutor copy, WorkerExecutor io, WorkerExecutor transfer) {
  /** Archive copies running at once (each holds one transfer thread while it streams). */
  public static final int TRANSFERS = 2;


  /**
   * Vert.x's own threads for {@code jobs} parallel streams on this machine: event loops up to one per stream
   * (at least 2, at most the cores), default workers at least one per stream.
   */
  public static VertxOptions vertxOptions(int jobs) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new VertxOptions().setEventLoopPoolSize(Math.max(2, Math.min(cores, jobs)))
        .setWorkerPoolSize(Math.max(4, jobs));
  }

  public static Pools create(Vertx vertx, int jobs) {
    // Long-running tasks by design: a COPY may run for hours, so no blocked-thread warning applies.
    long maxExec = TimeUnit.DAYS.toNanos(1);
    return new Pools(
        vertx.createSharedWorkerExecutor("cairn-copy-" + jobs, jobs + 1, maxExec, TimeUnit.NANOSECONDS),
        // pg_restore runs (one loading-time build beside the main one), archive opens, fsyncs
        vertx.createSharedWorkerExecutor("cairn-io", Math.max(4, jobs), maxExec, TimeUnit.NANOSECONDS),
        vertx.createSharedWorkerExecutor("cairn-transfer", TRANSFERS, maxExec, TimeUnit.NANOSECONDS));
  }

  public Future<Void> close() {
    return Future.all(copy.close(), io.close(), transfer.close()).mapEmpty();
  }
}
