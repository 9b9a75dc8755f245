package dev.cairn.storage;

import java.nio.ByteBuffer;

/**
 * A sequential write of one object: bytes leave in the order they are written (so the same writer can
 * feed a local file or a multipart upload). Not thread-safe: one writer at a time, or the caller
 * serialises. Closing a sink that was not committed aborts it.
 */
public interface WriteSink extends AutoCloseable {
  /** Writes all of {@code buf}'s remaining bytes at the end of the object. */
  void write(ByteBuffer buf);

  /** Bytes written so far: the offset of the next byte. */
  long position();

  /** Makes the bytes durable and publishes them under the key, only if the key is absent (else REPO_WRITE). */
  void commit();

  /** Discards what was written. Never throws. */
  void abort();

  /** The key this sink publishes, for messages. */
  String key();

  @Override
  void close();
}
