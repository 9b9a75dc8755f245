package dev.cairn.pgcopy;

import io.vertx.core.Future;

/**
 * One PostgreSQL session used for COPY, shaped like the COPY proposal for vertx-pg-client
 * (vert-x3/vertx-sql-client#153, PR #1696) so the data plane can move to the reactive client when
 * upstream ships it. Today it is backed by pgjdbc's CopyManager on a bounded worker pool.
 *
 * <p>Calls on one connection must not overlap: issue the next one when the previous future completes
 * (a COPY stream counts as running until its {@code rows()} future completes). Methods never throw.
 */
public interface CopyConnection {

  /** Runs statements that return no rows (BEGIN, SET TRANSACTION SNAPSHOT, SET, COMMIT). */
  Future<Void> execute(String sql);

  /** Starts {@code COPY ... TO STDOUT}; the stream delivers whole rows, batched in arrays of 1 MiB. */
  default Future<CopyOutStream> copyOut(String sql) {
    return copyOut(sql, BatchArrays.fresh(1 << 20), row -> {});
  }

  /**
   * Starts {@code COPY ... TO STDOUT}; the stream delivers whole rows in batches that fill arrays from
   * {@code arrays} (each buffer is a whole array's prefix, the consumer's to keep). {@code eachRow} sees every
   * row (one COPY data message, newline included) on the copy's worker thread before it is batched, in
   * order; it must not keep the array. What it computed is visible once {@code rows()} completes.
   */
  Future<CopyOutStream> copyOut(String sql, BatchArrays arrays, java.util.function.Consumer<byte[]> eachRow);

  /** Starts {@code COPY ... FROM STDIN}; the stream applies backpressure through writeQueueFull. */
  Future<CopyInStream> copyIn(String sql);

  /** Asks the server to cancel the running statement; safe from any thread, best effort. */
  void cancel();

  /** Closes the session, rolling back any open transaction. Never fails. */
  Future<Void> close();
}
