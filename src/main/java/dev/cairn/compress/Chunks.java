package dev.cairn.compress;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.RowDigest;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;

/** The client side of the {@link CompressorVerticle}; call from a Vert.x context. Never throws. */
public final class Chunks {
  // A chunk of a few MiB takes milliseconds; a minute means a stuck disk, and the job should fail.
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;

  public Chunks(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<ChunkRef> write(ArchiveWriter writer, int kind, byte[] data, int length, RowDigest digest) {
    return vertx.eventBus().<Messages.ChunkResult>request(Addresses.CHUNK_WRITE,
            new Messages.WriteChunk(writer, kind, data, length, digest), OPTIONS)
        .compose(m -> m.body().error() != null ? Future.failedFuture(m.body().error())
            : Future.succeededFuture(m.body().ref()));
  }

  public Future<byte[]> read(ArchiveReader reader, ChunkRef ref, RowDigest digest, String what) {
    return vertx.eventBus().<Messages.ChunkResult>request(Addresses.CHUNK_READ,
            new Messages.ReadChunk(reader, ref, digest, what), OPTIONS)
        .compose(m -> m.body().error() != null ? Future.failedFuture(m.body().error())
            : Future.succeededFuture(m.body().data()));
  }
}
