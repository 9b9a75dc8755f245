package dev.cairn.dump;

import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.RowDigest;
import dev.cairn.compress.Chunks;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives the COPY text of one part and writes it to the archive as chunks of {@code chunkBytes}: each
 * full chunk is digested, compressed, checksummed and written by the compressor verticle while the next
 * one fills. One chunk of a part is in flight at a time, which keeps the digest sequential and the chunks in
 * order; parallelism comes from several parts at once.
 */
final class ChunkSink implements WriteStream<Buffer> {
  private final ArchiveWriter writer;
  private final int kind;
  private final Chunks chunks;
  private final int chunkBytes;
  private final RowDigest digest = new RowDigest();
  private final List<ChunkRef> refs = new ArrayList<>();

  private byte[] acc;
  private int accLen;
  private long rawBytes;
  private int pending;
  private Future<Void> chain = Future.succeededFuture();
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Throwable failure;

  ChunkSink(ArchiveWriter writer, int kind, Chunks chunks, int chunkBytes) {
    this.writer = writer;
    this.kind = kind;
    this.chunks = chunks;
    this.chunkBytes = chunkBytes;
    this.acc = new byte[chunkBytes];
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    ByteBuf bb = ((BufferInternal) data).getByteBuf();
    int idx = bb.readerIndex();
    int left = bb.readableBytes();
    while (left > 0) {
      int n = Math.min(left, chunkBytes - accLen);
      bb.getBytes(idx, acc, accLen, n);
      accLen += n;
      idx += n;
      left -= n;
      if (accLen == chunkBytes) {
        submit();
      }
    }
    return Future.succeededFuture();
  }

  private void submit() {
    byte[] full = acc;
    int len = accLen;
    acc = new byte[chunkBytes];
    accLen = 0;
    rawBytes += len;
    pending++;
    chain = chain.compose(v -> chunks.write(writer, kind, full, len, digest)).<Void>map(ref -> {
      refs.add(ref);
      return null;
    }).andThen(ar -> {
      pending--;
      if (ar.failed() && failure == null) {
        failure = ar.cause();
        if (exceptionHandler != null) {
          exceptionHandler.handle(failure);
        }
      }
      if (pending < 2 && drainHandler != null) {
        Handler<Void> h = drainHandler;
        drainHandler = null;
        h.handle(null);
      }
    });
  }

  @Override
  public Future<Void> end() {
    if (accLen > 0) {
      submit();
    }
    return chain;
  }

  @Override
  public boolean writeQueueFull() {
    return pending >= 2;
  }

  @Override
  public WriteStream<Buffer> drainHandler(Handler<Void> handler) {
    this.drainHandler = handler;
    return this;
  }

  @Override
  public WriteStream<Buffer> exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler;
    return this;
  }

  @Override
  public WriteStream<Buffer> setWriteQueueMaxSize(int maxSize) {
    return this;
  }

  /** Valid once {@link #end()} has completed. */
  List<ChunkRef> refs() {
    return List.copyOf(refs);
  }

  RowDigest digest() {
    return digest;
  }

  long rawBytes() {
    return rawBytes;
  }
}
