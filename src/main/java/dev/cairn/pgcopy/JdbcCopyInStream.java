package dev.cairn.pgcopy;

import dev.cairn.conn.PgErrors;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.copy.CopyIn;

/**
 * Queues buffers on the owner's context and writes them to the server on a worker thread. Reports
 * {@link #writeQueueFull()} above the queue limit and calls the drain handler once below half of it. A
 * write's future completes (on the owner's context) once its bytes are handed to the connection, so its
 * buffer may then be reused; it fails when the COPY failed first.
 */
final class JdbcCopyInStream implements CopyInStream {
  private record Pending(Buffer data, Promise<Void> written) {}

  private static final Pending END = new Pending(Buffer.buffer(), null);
  private static final Pending ABORT = new Pending(Buffer.buffer(), null);

  private final Context ctx;
  private final CopyIn op;
  private final String where;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicLong queuedBytes = new AtomicLong();
  private final Promise<Long> rows = Promise.promise();
  private volatile long maxQueueBytes = 16L << 20;
  private volatile boolean failed;
  private volatile boolean drainWanted;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private boolean ended;

  // Held so the session outlives every use of its stream: pgjdbc closes an unreachable connection.
  private final Object connection;

  JdbcCopyInStream(Context ctx, CopyIn op, String where, Object connection) {
    this.connection = connection;
    this.ctx = ctx;
    this.op = op;
    this.where = where;
  }

  /** Runs on a pool thread for the whole COPY. */
  Void writeLoop() {
    Pending p = null;
    try {
      while (true) {
        p = queue.take();
        if (p == END) {
          long n = op.endCopy();
          ctx.runOnContext(v -> rows.tryComplete(n));
          return null;
        }
        if (p == ABORT) {
          op.cancelCopy();
          ctx.runOnContext(v -> rows.tryFail(new java.util.concurrent.CancellationException("copy aborted on " + where)));
          return null;
        }
        ByteBuf bb = ((BufferInternal) p.data()).getByteBuf();
        int len = bb.readableBytes();
        if (bb.hasArray()) {
          op.writeToCopy(bb.array(), bb.arrayOffset() + bb.readerIndex(), len);
        } else {
          byte[] tmp = new byte[len];
          bb.getBytes(bb.readerIndex(), tmp);
          op.writeToCopy(tmp, 0, len);
        }
        Promise<Void> written = p.written();
        ctx.runOnContext(v -> written.complete());
        long left = queuedBytes.addAndGet(-len);
        if (drainWanted && left <= maxQueueBytes / 2) {
          drainWanted = false;
          ctx.runOnContext(v -> {
            if (drainHandler != null) {
              drainHandler.handle(null);
            }
          });
        }
      }
    } catch (Throwable t) {
      failed = true;
      try {
        if (op.isActive()) {
          op.cancelCopy();
        }
      } catch (Exception ignored) {
        // the connection is already broken; the original failure is what matters
      }
      Throwable err = PgErrors.from(t, "copy in failed on " + where);
      Promise<Void> inFlight = p == null ? null : p.written();
      ctx.runOnContext(v -> {
        rows.tryFail(err);
        if (inFlight != null) {
          inFlight.tryFail(err);
        }
        failQueued(err);
        if (exceptionHandler != null) {
          exceptionHandler.handle(err);
        }
        if (drainHandler != null) {
          drainHandler.handle(null); // wake a waiting producer so it sees the failure
        }
      });
      return null;
    }
  }

  /** On the owner's context, after {@code failed} is set: writes queued since are failed by {@link #write}. */
  private void failQueued(Throwable err) {
    for (Pending p = queue.poll(); p != null; p = queue.poll()) {
      if (p.written() != null) {
        p.written().tryFail(err);
      }
    }
  }

  @Override
  public Future<Long> rows() {
    return rows.future();
  }

  @Override
  public Future<Void> abort(String reason) {
    if (!ended) {
      ended = true;
      queue.add(ABORT);
    }
    return rows.future().<Void>mapEmpty().recover(t -> Future.succeededFuture());
  }

  @Override
  public CopyInStream exceptionHandler(Handler<Throwable> h) {
    exceptionHandler = h;
    return this;
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failed) {
      return rows.future().mapEmpty();
    }
    if (ended) {
      return Future.failedFuture(new IllegalStateException("copy in already ended on " + where));
    }
    queuedBytes.addAndGet(data.length());
    Promise<Void> written = Promise.promise();
    queue.add(new Pending(data, written));
    return written.future();
  }

  @Override
  public Future<Void> end() {
    if (!ended) {
      ended = true;
      queue.add(END);
    }
    return rows.future().mapEmpty();
  }

  @Override
  public CopyInStream setWriteQueueMaxSize(int maxSize) {
    maxQueueBytes = maxSize;
    return this;
  }

  @Override
  public boolean writeQueueFull() {
    // Flag first, then read: the writer thread decrements then reads the flag, so no wake-up is lost.
    drainWanted = true;
    return !failed && queuedBytes.get() >= maxQueueBytes;
  }

  @Override
  public CopyInStream drainHandler(Handler<Void> h) {
    drainHandler = h;
    return this;
  }
}
