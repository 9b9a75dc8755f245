package dev.cairn.compress;

import dev.cairn.pgcopy.BatchArrays;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Chunk-sized arrays shared by the streams of one backup or one restore. Arrays come back once their
 * bytes are written (to the compressor on a backup, to the server on a restore): without that, a backup
 * or restore allocates its whole size again in 4 MiB arrays, every young collection copies the ones in
 * flight, the survivor space overflows into the old generation and full collections follow. Reused arrays
 * are tenured once and then left alone. Holds at most {@code max}; used from several threads.
 */
public final class ChunkArrays implements BatchArrays {
  private final ConcurrentLinkedDeque<byte[]> free = new ConcurrentLinkedDeque<>();
  private final int length;
  private final int max;

  public ChunkArrays(int length, int max) {
    this.length = length;
    this.max = max;
  }

  @Override
  public int length() {
    return length;
  }

  @Override
  public byte[] take() {
    byte[] b = free.poll();
    return b != null ? b : new byte[length];
  }

  /** Takes back an array of {@link #length()} bytes whose contents are no longer needed; others are left. */
  public void give(byte[] b) {
    if (b.length == length && free.size() < max) { // a race may keep one or two more: harmless
      free.push(b);
    }
  }
}
