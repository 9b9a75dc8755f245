package dev.cairn.pgcopy;

import dev.cairn.conn.PgErrors;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.postgresql.copy.CopyOut;

/**
 * Reads rows on a worker thread, batches them into arrays of whole rows (from {@link BatchArrays}), and
 * hands the batches to the owner's context. At most {@link #IN_FLIGHT_BYTES} of batches (and at least one)
 * wait there, so a paused consumer (or one that has not set its handler yet) stops the reader, and so the
 * server, instead of filling memory.
 */
final class JdbcCopyOutStream implements CopyOutStream {
  static final int IN_FLIGHT_BYTES = 4 << 20;

  private final Context ctx;
  private final CopyOut op;
  private final String where;
  private final BatchArrays arrays;
  private final java.util.function.Consumer<byte[]> eachRow;
  private final Semaphore permits;
  private final Promise<Long> rows = Promise.promise();
  private volatile boolean abandoned;

  // Owned by ctx.
  private final ArrayDeque<Buffer> pending = new ArrayDeque<>();
  private long demand = Long.MAX_VALUE;
  private boolean endSeen;
  private boolean endDelivered;
  private Throwable failure;
  private Handler<Buffer> handler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler;

  // Held so the session outlives every use of its stream: pgjdbc closes an unreachable connection.
  private final Object connection;

  JdbcCopyOutStream(Context ctx, CopyOut op, String where, Object connection, BatchArrays arrays,
      java.util.function.Consumer<byte[]> eachRow) {
    this.connection = connection;
    this.eachRow = eachRow;
    this.arrays = arrays;
    this.permits = new Semaphore(Math.max(1, IN_FLIGHT_BYTES / arrays.length()));
    this.ctx = ctx;
    this.op = op;
    this.where = where;
  }

  /** Runs on a pool thread for the whole COPY. */
  Void readLoop() {
    try {
      byte[] batch = arrays.take();
      int len = 0;
      byte[] row;
      while ((row = op.readFromCopy()) != null) {
        eachRow.accept(row);
        if (len + row.length > batch.length && len > 0) {
          emit(batch, len);
          batch = arrays.take();
          len = 0;
        }
        if (row.length > batch.length) {
          emit(row, row.length); // one huge row travels alone
        } else {
          System.arraycopy(row, 0, batch, len, row.length);
          len += row.length;
        }
      }
      if (len > 0) {
        emit(batch, len);
      }
      long count = op.getHandledRowCount();
      ctx.runOnContext(v -> {
        endSeen = true;
        drain();
        rows.tryComplete(count);
      });
    } catch (Throwable t) {
      Throwable err = abandoned ? new java.util.concurrent.CancellationException("copy cancelled on " + where)
          : PgErrors.from(t, "copy out failed on " + where);
      ctx.runOnContext(v -> fail(err));
    }
    return null;
  }

  private void emit(byte[] bytes, int len) throws InterruptedException {
    while (!permits.tryAcquire(200, TimeUnit.MILLISECONDS)) {
      if (abandoned) {
        throw new java.util.concurrent.CancellationException("copy cancelled on " + where);
      }
    }
    Buffer b = BufferInternal.buffer(Unpooled.wrappedBuffer(bytes, 0, len));
    ctx.runOnContext(v -> {
      pending.add(b);
      drain();
    });
  }

  /** Stops a reader that waits for a consumer that will not come back. */
  void abandon() {
    abandoned = true;
  }

  private void fail(Throwable err) {
    if (failure != null || endDelivered) {
      return;
    }
    failure = err;
    pending.clear();
    rows.tryFail(err);
    if (exceptionHandler != null) {
      exceptionHandler.handle(err);
    }
  }

  /** Delivers what is pending while there is demand and a handler: rows wait for a handler, none is dropped. */
  private void drain() {
    while (failure == null && demand > 0 && handler != null && !pending.isEmpty()) {
      Buffer b = pending.poll();
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      permits.release();
      try {
        handler.handle(b);
      } catch (Throwable t) { // an OutOfMemoryError here would otherwise leave the COPY waiting forever
        fail(PgErrors.from(t, "copy out failed on " + where));
        return;
      }
    }
    if (failure == null && endSeen && pending.isEmpty() && !endDelivered) {
      endDelivered = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    }
  }

  @Override
  public Future<Long> rows() {
    return rows.future();
  }

  @Override
  public CopyOutStream exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public CopyOutStream handler(Handler<Buffer> h) {
    handler = h;
    if (h != null) {
      ctx.runOnContext(v -> drain());
    }
    return this;
  }

  @Override
  public CopyOutStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public CopyOutStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public CopyOutStream fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    ctx.runOnContext(v -> drain());
    return this;
  }

  @Override
  public CopyOutStream endHandler(Handler<Void> h) {
    endHandler = h;
    return this;
  }
}
