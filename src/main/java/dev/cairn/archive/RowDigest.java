package dev.cairn.archive;

import net.jpountz.xxhash.StreamingXXHash64;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Order-independent content digest of COPY text rows: the sum (mod 2^64) of XXH64 (seed 0) of each row's
 * bytes without its newline. Equal multisets of rows give equal digests whatever their order, so parts
 * copied in parallel and rows restored in another physical order still compare.
 *
 * <p>Feed the bytes of one stream in order ({@link #update}: a row may be split across calls), or its rows
 * one by one ({@link #row}). Not thread-safe.
 */
public final class RowDigest {
  // The Java implementation: rows are short, and a JNI call per row costs more than the hashing.
  private static final XXHash64 XXH64 = XXHashFactory.fastestJavaInstance().hash64();

  private long sum;
  private long rows;
  // A row split across calls is hashed as it comes: a copy of it would hold a 40 MiB row twice over.
  private final StreamingXXHash64 partial = XXHashFactory.fastestJavaInstance().newStreamingHash64(0);
  private boolean inRow;
  private boolean malformed;

  public void update(byte[] b, int off, int len) {
    int end = off + len;
    int lineStart = off;
    int nl = nextNewline(b, off, end);
    while (nl >= 0) {
      if (inRow) {
        partial.update(b, lineStart, nl - lineStart);
        sum += partial.getValue();
        partial.reset();
        inRow = false;
      } else {
        sum += XXH64.hash(b, lineStart, nl - lineStart, 0);
      }
      rows++;
      lineStart = nl + 1;
      nl = nextNewline(b, lineStart, end);
    }
    if (lineStart < end) {
      partial.update(b, lineStart, end - lineStart);
      inRow = true;
    }
  }

  /**
   * Adds one row given whole with its newline, as a COPY TO STDOUT message carries it (the protocol sends
   * one message per row): no newline search. A row without its newline leaves the digest incomplete.
   */
  public void row(byte[] b, int off, int len) {
    if (len == 0 || b[off + len - 1] != '\n') {
      malformed = true;
      return;
    }
    sum += XXH64.hash(b, off, len - 1, 0);
    rows++;
  }

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
  private static final long NEWLINES = 0x0a0a0a0a0a0a0a0aL;
  private static final long LOW = 0x0101010101010101L;
  private static final long HIGH = 0x8080808080808080L;

  /**
   * Index of the next '\n' in [from, end), or -1. Eight bytes at a time: the byte-at-a-time loop was
   * the biggest CPU cost of a backup. A word has a zero byte where it equals '\n' after the xor; the
   * lowest flagged byte is exact (higher flags can be false positives, which are never used).
   */
  static int nextNewline(byte[] b, int from, int end) {
    int i = from;
    for (; i + 8 <= end; i += 8) {
      long v = (long) LONGS.get(b, i) ^ NEWLINES;
      long found = (v - LOW) & ~v & HIGH;
      if (found != 0) {
        return i + (Long.numberOfTrailingZeros(found) >>> 3);
      }
    }
    for (; i < end; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  public long rows() {
    return rows;
  }

  public long digest() {
    return sum;
  }

  /** True when the stream so far ends on a row boundary, as a complete COPY stream must. */
  public boolean complete() {
    return !inRow && !malformed;
  }

  /** Digests of disjoint parts of one table add up to the table's digest. */
  public static long combine(long a, long b) {
    return a + b;
  }
}
