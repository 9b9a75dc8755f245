package dev.cairn.pgcopy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;

/** Rows of a running {@code COPY ... TO STDOUT}, delivered as buffers that each hold whole rows. */
public interface CopyOutStream extends ReadStream<Buffer> {

  /** Completes after the end handler with the row count the server reported, or the COPY failure. */
  Future<Long> rows();
}
