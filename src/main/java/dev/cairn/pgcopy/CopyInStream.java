package dev.cairn.pgcopy;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

/**
 * Data for a running {@code COPY ... FROM STDIN}. Buffers need not align with rows. {@link #end()}
 * finishes the COPY; {@link #rows()} then yields the row count the server reported.
 */
public interface CopyInStream extends WriteStream<Buffer> {

  /** Completes when the COPY has ended, with the server's row count, or with its failure. */
  Future<Long> rows();

  @Override
  CopyInStream setWriteQueueMaxSize(int maxSize);

  /** Abandons the COPY: the server rolls the statement back. */
  Future<Void> abort(String reason);
}
