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
    this.chunkKey = new SecretKeySpec(Hkdf.derive(archiveId, dataKey, "cairn v2 chunk key"), "AES");
    this.manifestKey = new SecretKeySpec(Hkdf.derive(archiveId, dataKey, "cairn v2 manifest key"), "AES");
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
