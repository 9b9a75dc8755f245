package dev.cairn.crypt;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes the JIT compile AES-GCM once per process, on a daemon thread, so that it happens while the process
 * connects and plans rather than on the first chunks. GCM's AES-NI and carry-less-multiply intrinsics are
 * used only where C2 inlines them into a compiled caller, and C2 compiles the callers (the cipher's update
 * and final steps) after thousands of calls: a backup makes a few per 4 MiB chunk, so without this a short
 * process encrypts at tens of MB/s. The calls are the ones {@link ChunkCipher} makes for chunks: many
 * small ones with, every {@link #LARGE_EVERY}th, a large one (sealed in several pieces; opened in one call
 * above the JDK's 64 KiB threshold for splitting), in place and not: the branches real chunks take. Small
 * calls alone compile code whose first large chunk hits an uncommon trap and falls back to slow code for
 * good (measured on JDK 17, CPU time of one thread: 93 MB/s after 6,000 small calls, 78 MB/s with no
 * warm-up, 2 to 6 GB/s with large calls mixed in; half as many calls were not always enough).
 */
final class GcmWarmUp {
  /** Seal-and-open round trips; about 0.25 s of CPU. */
  static final int CALLS = 6_000;
  static final int LARGE_EVERY = 64;
  private static final int SMALL = 512;
  private static final int LARGE = 96 << 10;
  private static final AtomicBoolean CLAIMED = new AtomicBoolean();

  private GcmWarmUp() {}

  /** Starts the warm-up on a thread of its own unless it was started already. Returns at once. */
  static void start() {
    if (CLAIMED.compareAndSet(false, true)) {
      Thread t = new Thread(GcmWarmUp::run, "cairn-gcm-warmup");
      t.setDaemon(true);
      t.start();
    }
  }

  /** Runs the warm-up on the calling thread unless it was started already. */
  static void runHere() {
    if (CLAIMED.compareAndSet(false, true)) {
      run();
    }
  }

  private static void run() {
    ChunkCipher c = new ChunkCipher(new byte[32], new byte[16], false);
    byte[] ad = new byte[48];
    ByteBuffer chunk = ByteBuffer.allocateDirect(LARGE + ChunkCipher.OVERHEAD);
    byte[] sealed = new byte[LARGE + ChunkCipher.OVERHEAD];
    byte[] plain = new byte[LARGE];
    for (int i = 0; i < CALLS; i++) {
      int len = i % LARGE_EVERY == 0 ? LARGE : SMALL;
      int n = c.seal(false, ad, chunk, 0, len); // as ChunkCodec seals: in place, in a direct buffer
      chunk.get(0, sealed, 0, n);
      if (i % 2 == 0) { // opened in place, as a compressed chunk is, or into another array (stored chunks)
        c.open(false, ad, sealed, 0, n, sealed, ChunkCipher.NONCE_LENGTH, "the AES-GCM warm-up");
      } else {
        c.open(false, ad, sealed, 0, n, plain, 0, "the AES-GCM warm-up");
      }
    }
  }
}
