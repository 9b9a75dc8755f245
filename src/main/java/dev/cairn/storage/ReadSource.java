package dev.cairn.storage;

import java.nio.ByteBuffer;

/**
 * Ranged reads of one published object (positional file reads, or HTTP range requests). Thread-safe:
 * several readers may read different ranges at once. An open source keeps the bytes it was opened on
 * where the driver allows it (an open local file survives its deletion).
 */
public interface ReadSource extends AutoCloseable {
  long size();

  /** Fills {@code dst}'s remaining bytes from {@code offset}; REPO_READ when the object ends first. */
  void read(long offset, ByteBuffer dst);

  /** The key, for messages. */
  String key();

  @Override
  void close();
}
