package dev.cairn.crypt;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for the chunks and the manifest of one archive, with sub-keys derived from the backup's
 * data key by HKDF-SHA256 (salt: the archive id). A stored payload is nonce (12 bytes), ciphertext, tag
 * (16 bytes). Nonces are a counter, so they never repeat under a key: one cipher per archive writer, and
 * the data key is new for every backup. Thread-safe.
 *
 * <p>The JDK's GCM runs its AES-NI and carry-less-multiply intrinsics over heap arrays in a few large
 * calls, but over a direct buffer 1 KiB at a time through copies. So {@link #seal} encrypts a chunk in
 * place in its (direct) output buffer through two small heap arrays, {@link #PIECE} bytes per update
 * (pieces of one size also keep every update on one code path, which the JIT compiles once), and
 * {@link #open} decrypts heap arrays. Ciphers and their arrays are pooled (one set per thread at work), so a
 * chunk costs no provider lookup, no key schedule and no buffer of its size.
 */
public final class ChunkCipher {
  public static final int NONCE_LENGTH = 12;
  public static final int TAG_LENGTH = 16;
  /** Bytes a sealed payload has beyond its plaintext. */
  public static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

  private final SecretKeySpec chunkKey;
  private final SecretKeySpec manifestKey;
  private final AtomicLong counter = new AtomicLong();
  /** Bytes per update when sealing: a multiple of the block size, at most the JDK's 64 KiB split threshold. */
  static final int PIECE = 64 << 10;

  /** A cipher and the heap arrays {@link #seal} moves pieces through. */
  private record Lane(Cipher cipher, byte[] in, byte[] out) {}

  private final ConcurrentLinkedQueue<Lane> idle = new ConcurrentLinkedQueue<>();

  public ChunkCipher(byte[] dataKey, byte[] archiveId) {
    this(dataKey, archiveId, true);
  }

  /** {@code warmUp}: start the process's GCM warm-up ({@link GcmWarmUp}) unless it ran or runs already. */
  ChunkCipher(byte[] dataKey, byte[] archiveId, boolean warmUp) {
    if (warmUp) {
      GcmWarmUp.start();
    }
    this.chunkKey = new SecretKeySpec(Hkdf.derive(archiveId, dataKey, "cairn v2 chunk key"), "AES");
    this.manifestKey = new SecretKeySpec(Hkdf.derive(archiveId, dataKey, "cairn v2 manifest key"), "AES");
  }

  /**
   * Seals {@code len} bytes in place: the plaintext at {@code buf[at + NONCE_LENGTH, ... + len)} becomes
   * the ciphertext, the nonce goes before it at {@code buf[at..)} and the tag after it; binds {@code ad}.
   * Returns the sealed length ({@code len + OVERHEAD}). {@code buf} may be direct.
   */
  public int seal(boolean manifest, byte[] ad, ByteBuffer buf, int at, int len) {
    byte[] nonce = new byte[NONCE_LENGTH];
    ByteBuffer.wrap(nonce).putLong(4, counter.incrementAndGet());
    buf.put(at, nonce);
    Lane lane = take();
    try {
      Cipher c = lane.cipher();
      c.init(Cipher.ENCRYPT_MODE, manifest ? manifestKey : chunkKey, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      c.updateAAD(ad);
      // ciphertext goes back where its plaintext was: never past what has been read (w <= r), so in place is safe
      int r = at + NONCE_LENGTH;
      int w = r;
      int end = r + len;
      while (end - r > PIECE) {
        buf.get(r, lane.in(), 0, PIECE);
        r += PIECE;
        w += put(buf, w, lane.out(), c.update(lane.in(), 0, PIECE, lane.out(), 0));
      }
      int last = end - r;
      buf.get(r, lane.in(), 0, last);
      w += put(buf, w, lane.out(), c.doFinal(lane.in(), 0, last, lane.out(), 0));
      idle.offer(lane);
      return w - at;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e); // the lane is dropped, not pooled
    }
  }

  private static int put(ByteBuffer buf, int at, byte[] b, int n) {
    buf.put(at, b, 0, n);
    return n;
  }

  /**
   * Decrypts the sealed payload {@code src[srcOff, srcOff + len)} into {@code dst} at {@code dstOff} and
   * returns the plaintext's length ({@code len - OVERHEAD}); ARCHIVE_CORRUPT naming {@code context} when
   * authentication fails (a changed byte, a chunk from elsewhere, a wrong key); {@code dst} then holds
   * nothing to use.
   */
  public int open(boolean manifest, byte[] ad, byte[] src, int srcOff, int len, byte[] dst, int dstOff, String context) {
    if (len < OVERHEAD) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": encrypted payload of " + len
          + " bytes is shorter than a nonce and a tag (" + OVERHEAD + " bytes)");
    }
    Lane lane = take();
    Cipher c = lane.cipher();
    try {
      c.init(Cipher.DECRYPT_MODE, manifest ? manifestKey : chunkKey, new GCMParameterSpec(TAG_LENGTH * 8, src, srcOff,
          NONCE_LENGTH));
      c.updateAAD(ad);
      int n = c.doFinal(src, srcOff + NONCE_LENGTH, len - NONCE_LENGTH, dst, dstOff);
      idle.offer(lane);
      return n;
    } catch (AEADBadTagException e) {
      idle.offer(lane); // a failed tag leaves the cipher to be initialised again, like any other
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": authentication failed (the ciphertext or its"
          + " tag was changed, or the chunk belongs to another place, table or backup)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }

  private Lane take() {
    Lane lane = idle.poll();
    // out: a final step may add what an update held back, and the tag
    return lane != null ? lane : new Lane(newGcm(), new byte[PIECE], new byte[2 * PIECE + TAG_LENGTH]);
  }

  static Cipher newGcm() {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }
}
