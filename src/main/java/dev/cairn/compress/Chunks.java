package dev.cairn.compress;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.RowDigest;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Promise;

/**
 * The client side of the {@link CompressorVerticle}; call from a Vert.x context, whose thread then gets
 * the result. Never throws. Messages are sent, not requested: the compressor calls back through the
 * message, so no reply timer holds on to a chunk's bytes.
 */
public final class Chunks {
  private final Vertx vertx;

  public Chunks(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Digests, encodes and places a chunk that is {@code aad} in its stream. */
  public Future<ChunkRef> write(ArchiveWriter writer, int kind, byte[] data, int length, RowDigest digest,
      ChunkAad aad) {
    Promise<Messages.ChunkResult> p = Promise.promise();
    vertx.eventBus().send(Addresses.CHUNK_WRITE, new Messages.WriteChunk(writer, kind, data, length, digest, aad,
        back(p)));
    return p.future().compose(r -> r.error() != null ? Future.failedFuture(r.error()) : Future.succeededFuture(r.ref()));
  }

  /** Reads, checks, decodes and digests the chunk the manifest lists at {@code aad}. */
  public Future<byte[]> read(ArchiveReader reader, ChunkRef ref, ChunkAad aad, RowDigest digest, String what) {
    return read(reader, ref, aad, digest, what, null);
  }

  /**
   * {@link #read(ArchiveReader, ChunkRef, ChunkAad, RowDigest, String)} into the first {@code ref.rawLength()}
   * bytes of {@code into} (null: a new array), which the result is.
   */
  public Future<byte[]> read(ArchiveReader reader, ChunkRef ref, ChunkAad aad, RowDigest digest, String what,
      byte[] into) {
    Promise<Messages.ChunkResult> p = Promise.promise();
    vertx.eventBus().send(Addresses.CHUNK_READ, new Messages.ReadChunk(reader, ref, aad, digest, what, into, back(p)));
    return p.future().compose(r -> r.error() != null ? Future.failedFuture(r.error())
        : Future.succeededFuture(r.data()));
  }

  /** Completes {@code p} on the caller's context, whatever thread the compressor answers on. */
  private Handler<Messages.ChunkResult> back(Promise<Messages.ChunkResult> p) {
    Context ctx = vertx.getOrCreateContext();
    return r -> ctx.runOnContext(v -> p.complete(r));
  }
}
