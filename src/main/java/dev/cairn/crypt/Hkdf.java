package dev.cairn.crypt;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HKDF-SHA256 (RFC 5869) and HMAC-SHA256 on the JDK's {@link Mac}. */
public final class Hkdf {
  private Hkdf() {}

  public static byte[] hmac(byte[] key, byte[]... parts) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // an empty HMAC key is valid (RFC 2104) but SecretKeySpec refuses it: the zero block is the same key
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[32] : key, "HmacSHA256"));
      for (byte[] p : parts) {
        mac.update(p);
      }
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
    }
  }

  /** {@code length} bytes (at most 255 * 32) of HKDF-SHA256(salt, ikm, info). */
  public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    byte[] prk = hmac(salt, ikm);
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    for (int i = 0, done = 0; done < length; i++) {
      t = hmac(prk, t, info, new byte[] {(byte) (i + 1)});
      int n = Math.min(t.length, length - done);
      System.arraycopy(t, 0, out, done, n);
      done += n;
    }
    return out;
  }

  /** HKDF with a text label as info. */
  public static byte[] derive(byte[] salt, byte[] ikm, String info) {
    return derive(salt, ikm, info.getBytes(StandardCharsets.US_ASCII), 32);
  }
}
