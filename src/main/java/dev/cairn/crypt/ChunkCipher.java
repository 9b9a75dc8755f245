package dev.cairn.crypt;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
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
 */
public final class ChunkCipher {
  public static final int NONCE_LENGTH = 12;
  public static final int TAG_LENGTH = 16;
  /** Bytes a sealed payload has beyond its plaintext. */
  public static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

  private final SecretKeySpec chunkKey;
  private final SecretKeySpec manifestKey;
  private final AtomicLong counter = new AtomicLong();

  public ChunkCipher(byte[] dataKey, byte[] archiveId) {
    WarmUp.done();
    this.chunkKey = new SecretKeySpec(Hkdf.derive(archiveId, dataKey, "cairn v2 chunk key"), "AES");
    this.manifestKey = new SecretKeySpec(Hkdf.derive(archiveId, dataKey, "cairn v2 manifest key"), "AES");
  }

  /**
   * Makes the JIT compile AES-GCM once per process, before the first chunk. GCM's AES-NI and carry-less
   * multiply intrinsics come with C2, which compiles a method after thousands of calls; a backup makes a
   * few calls per 4 MiB chunk, so without this a short CLI process encrypts interpreted, at tens of MB/s
   * (measured: 70 chunks of 3 MiB took 3.6 s of CPU cold, 0.2 s after 20,000 small calls, which cost 0.7 s).
   */
  private static final class WarmUp {
    private static final int CALLS = 20_000;

    static {
      SecretKeySpec key = new SecretKeySpec(new byte[32], "AES");
      // the buffer kinds seal and open use: direct ones to encrypt, heap ones to decrypt
      ByteBuffer plain = ByteBuffer.allocateDirect(1024);
      ByteBuffer sealed = ByteBuffer.allocateDirect(1024 + TAG_LENGTH);
      ByteBuffer sealedHeap = ByteBuffer.allocate(1024 + TAG_LENGTH);
      ByteBuffer back = ByteBuffer.allocate(1024);
      try {
        for (int i = 0; i < CALLS; i++) {
          GCMParameterSpec iv = new GCMParameterSpec(TAG_LENGTH * 8, ByteBuffer.allocate(NONCE_LENGTH).putInt(0, i)
              .array());
          Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
          c.init(Cipher.ENCRYPT_MODE, key, iv);
          c.doFinal(plain.clear(), sealed.clear());
          if (i % 2 == 0) { // decryption shares GHASH and CTR: half as many calls warm its own path
            sealedHeap.clear().put(sealed.flip()).flip();
            Cipher d = Cipher.getInstance("AES/GCM/NoPadding");
            d.init(Cipher.DECRYPT_MODE, key, iv);
            d.doFinal(sealedHeap, back.clear());
          }
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("AES-GCM failed", e);
      }
    }

    private WarmUp() {}

    /** Triggers the static initialiser, once per process. */
    static void done() {
      // the class's initialisation is the work
    }
  }

  /**
   * Encrypts {@code src}'s remaining bytes into {@code dst} at {@code dstAt} (nonce, ciphertext, tag),
   * binding {@code ad}; returns the bytes written ({@code src.remaining() + OVERHEAD}).
   */
  public int seal(boolean manifest, byte[] ad, ByteBuffer src, ByteBuffer dst, int dstAt) {
    byte[] nonce = new byte[NONCE_LENGTH];
    ByteBuffer.wrap(nonce).putLong(4, counter.incrementAndGet());
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, manifest ? manifestKey : chunkKey, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      c.updateAAD(ad);
      dst.put(dstAt, nonce);
      ByteBuffer out = dst.duplicate().clear().position(dstAt + NONCE_LENGTH);
      int n = c.doFinal(src, out);
      return NONCE_LENGTH + n;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }

  /**
   * Decrypts a sealed payload ({@code src}'s remaining bytes) into {@code dst}; ARCHIVE_CORRUPT naming
   * {@code context} when authentication fails (a changed byte, a chunk from elsewhere, a wrong key).
   */
  public void open(boolean manifest, byte[] ad, ByteBuffer src, ByteBuffer dst, String context) {
    if (src.remaining() < OVERHEAD) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": encrypted payload of " + src.remaining()
          + " bytes is shorter than a nonce and a tag (" + OVERHEAD + " bytes)");
    }
    byte[] nonce = new byte[NONCE_LENGTH];
    src.get(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, manifest ? manifestKey : chunkKey, new GCMParameterSpec(TAG_LENGTH * 8, nonce));
      c.updateAAD(ad);
      c.doFinal(src, dst);
    } catch (AEADBadTagException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": authentication failed (the ciphertext or its"
          + " tag was changed, or the chunk belongs to another place, table or backup)");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }
}
