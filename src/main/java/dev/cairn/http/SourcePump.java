package dev.cairn.http;

import dev.cairn.storage.ReadSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.nio.ByteBuffer;

/**
 * Sends a byte range of a storage object as an HTTP response body: reads of {@link #PIECE} bytes on
 * the io pool, one at a time, each written when the response has room (back-pressure from a slow
 * client pauses the reads). Ends the response after the last byte; fails when the client goes away.
 */
final class SourcePump {
  static final int PIECE = 256 << 10;

  private final ReadSource in;
  private final WorkerExecutor io;
  private final long end;
  private long next;
  private final Promise<Void> done = Promise.promise();

  SourcePump(ReadSource in, WorkerExecutor io, long start, long length) {
    this.in = in;
    this.io = io;
    this.next = start;
    this.end = start + length;
  }

  Future<Void> pipeTo(HttpServerResponse resp) {
    resp.exceptionHandler(done::tryFail);
    resp.closeHandler(v -> done.tryFail("the client closed the connection"));
    pump(resp);
    return done.future();
  }

  private void pump(HttpServerResponse resp) {
    if (done.future().isComplete()) {
      return;
    }
    if (next >= end) {
      resp.end().onComplete(done);
      return;
    }
    int n = (int) Math.min(PIECE, end - next);
    long at = next;
    io.executeBlocking(() -> {
      ByteBuffer b = ByteBuffer.allocate(n);
      in.read(at, b);
      return Buffer.buffer(b.array());
    }, true).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
        resp.reset(); // the headers promised more bytes: cut the connection rather than end short
        return;
      }
      next += n;
      resp.write(ar.result());
      if (resp.writeQueueFull()) {
        resp.drainHandler(v -> pump(resp));
      } else {
        pump(resp);
      }
    });
  }
}
