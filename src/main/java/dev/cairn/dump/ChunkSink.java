package dev.cairn.dump;

import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.compress.ChunkArrays;
import dev.cairn.compress.Chunks;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.streams.WriteStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives the COPY text of one part and writes it to the archive as chunks of at most {@code chunkBytes}:
 * each chunk is compressed, checksummed and written by the compressor verticle while the next one fills
 * (the rows were digested as they were received, see {@link Dumper}). One chunk of a part is in flight at
 * a time, which keeps the chunks in order; parallelism comes from several parts at once. A buffer that is
 * a whole {@link ChunkArrays} array's prefix (a COPY batch filled in one) becomes a chunk as it is, without a
 * copy; other buffers are copied into chunks.
 */
final class ChunkSink implements WriteStream<Buffer> {
  private final ArchiveWriter writer;
  private final int kind;
  private final Chunks chunks;
  private final int chunkBytes;
  private final String stream;
  private boolean lastSubmitted;
  private final List<ChunkRef> refs = new ArrayList<>();

  private final ChunkArrays spare;
  private byte[] acc;
  private int accLen;
  // What is left of the last write, not yet copied into a chunk.
  private ByteBuf rest;
  private int restIdx;
  private long rawBytes;
  // Full chunks waiting for the compressor, oldest first; one is written at a time.
  private final java.util.ArrayDeque<Full> queue = new java.util.ArrayDeque<>();
  private boolean writing;
  private Promise<Void> ended;
  private Handler<Void> drainHandler;
  private Handler<Throwable> exceptionHandler;
  private Throwable failure;

  private record Full(byte[] data, int length, boolean last) {}

  /** {@code stream} names the part in each chunk's binding ({@link ChunkAad#dataStream}). */
  ChunkSink(ArchiveWriter writer, int kind, Chunks chunks, ChunkArrays spare, String stream) {
    this.writer = writer;
    this.stream = stream;
    this.kind = kind;
    this.chunks = chunks;
    this.spare = spare;
    this.chunkBytes = spare.length();
  }

  @Override
  public Future<Void> write(Buffer data) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    ByteBuf bb = ((BufferInternal) data).getByteBuf();
    int n = bb.readableBytes();
    if (n > 0 && rest == null && bb.hasArray() && bb.arrayOffset() + bb.readerIndex() == 0 && bb.array().length == chunkBytes) {
      // a batch of whole rows filled in a chunk-sized array: written as it is (a partial chunk before it first)
      if (acc != null) {
        submit(false);
      }
      queue.add(new Full(bb.array(), n, false));
      rawBytes += n;
    } else if (n > 0) {
      rest = bb;
      restIdx = bb.readerIndex();
    }
    pump();
    return Future.succeededFuture();
  }

  /**
   * Copies the held buffer into chunks while fewer than two wait for or are in the compressor. A row
   * larger than a chunk (a 20 MiB bytea is 40 MiB of hex) is split across chunks as they are written, so
   * a sink holds the row and three chunks, never the whole row copied into chunks at once.
   */
  private void fill() {
    while (rest != null && queue.size() + (writing ? 1 : 0) < 2) {
      if (acc == null) {
        acc = spare.take();
      }
      int n = Math.min(rest.writerIndex() - restIdx, chunkBytes - accLen);
      rest.getBytes(restIdx, acc, accLen, n);
      accLen += n;
      restIdx += n;
      if (restIdx == rest.writerIndex()) {
        rest = null;
      }
      if (accLen == chunkBytes) {
        submit(false);
      }
    }
  }

  private void submit(boolean last) {
    queue.add(new Full(acc == null ? new byte[0] : acc, accLen, last));
    lastSubmitted = last;
    rawBytes += accLen;
    acc = null;
    accLen = 0;
  }

  /** Starts the next write when none is running. No future chain: nothing keeps a written chunk alive. */
  private void pump() {
    if (writing) {
      return;
    }
    if (failure != null) {
      queue.clear();
      rest = null;
      if (ended != null) {
        ended.tryFail(failure);
      }
      return;
    }
    fill();
    // the last, partial chunk; encrypted, every part ends in a chunk marked last, even an empty one
    if (ended != null && rest == null && queue.isEmpty() && !lastSubmitted && (accLen > 0 || writer.encrypted())) {
      submit(true);
    }
    Full f = queue.poll();
    if (f == null) {
      if (ended != null && rest == null) {
        ended.tryComplete();
      }
      return;
    }
    writing = true;
    fill(); // one more chunk may fill while this one is written
    ChunkAad aad = new ChunkAad(stream, refs.size(), f.last());
    chunks.write(writer, kind, f.data(), f.length(), null, aad).onComplete(ar -> {
      writing = false;
      if (ar.succeeded()) {
        refs.add(ar.result());
        spare.give(f.data());
      } else if (failure == null) {
        failure = ar.cause();
        if (exceptionHandler != null) {
          exceptionHandler.handle(failure);
        }
      }
      pump();
      if (!writeQueueFull() && drainHandler != null) {
        Handler<Void> h = drainHandler;
        drainHandler = null;
        h.handle(null);
      }
    });
  }

  @Override
  public Future<Void> end() {
    if (ended == null) {
      ended = Promise.promise();
      pump();
    }
    return ended.future();
  }

  @Override
  public boolean writeQueueFull() {
    return rest != null || queue.size() + (writing ? 1 : 0) >= 2;
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

  long rawBytes() {
    return rawBytes;
  }
}
