package dev.cairn.compress;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;

/**
 * The compressor: a worker verticle on the {@code cairn-compress} pool, one instance per core. It runs the
 * chunk stages: row digest, then the archive's codec (LZ4, AES-256-GCM when encrypted, CRC32C), then the
 * writer places the bytes; and the reverse on read. Blocking
 * work is its job; the event loops only pass references (the bus is local).
 */
public final class CompressorVerticle extends VerticleBase {

  /** Deploys one instance per core on a pool of that size. */
  public static Future<String> deploy(Vertx vertx) {
    int cores = Math.max(2, Runtime.getRuntime().availableProcessors());
    return vertx.deployVerticle(CompressorVerticle::new, new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER).setWorkerPoolName("cairn-compress").setWorkerPoolSize(cores)
        .setInstances(cores));
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.WriteChunk>consumer(Addresses.CHUNK_WRITE, m -> {
      Messages.WriteChunk w = m.body();
      try {
        if (w.digest() != null) {
          w.digest().update(w.data(), 0, w.length());
        }
        w.done().handle(new Messages.ChunkResult(w.writer().writeChunk(w.kind(), w.data(), 0, w.length(), w.aad()), null, null));
      } catch (RuntimeException | Error e) { // an Error too: a reply never sent would hang the backup
        w.done().handle(new Messages.ChunkResult(null, null, CairnException.wrap(e, ErrorCode.INTERNAL, "chunk write")));
      }
    });
    vertx.eventBus().<Messages.ReadChunk>consumer(Addresses.CHUNK_READ, m -> {
      Messages.ReadChunk r = m.body();
      try {
        byte[] raw;
        if (r.into() == null) {
          raw = r.reader().readChunk(r.ref(), r.aad());
        } else {
          raw = r.into();
          r.reader().readChunk(r.ref(), r.aad(), raw);
        }
        if (r.digest() != null) {
          r.digest().update(raw, 0, r.ref().rawLength());
        }
        r.done().handle(new Messages.ChunkResult(null, raw, null));
      } catch (CairnException e) {
        r.done().handle(new Messages.ChunkResult(null, null, new CairnException(e.code(), r.what() + " at byte offset "
            + r.ref().offset() + ": " + e.getMessage(), e.hint(), null, e)));
      } catch (RuntimeException | Error e) {
        r.done().handle(new Messages.ChunkResult(null, null, CairnException.wrap(e, ErrorCode.INTERNAL, r.what())));
      }
    });
    return Future.succeededFuture();
  }
}
