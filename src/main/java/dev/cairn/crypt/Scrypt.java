package dev.cairn.crypt;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * scrypt (RFC 7914), written out because the JDK has none and Cairn adds no crypto dependency:
 * PBKDF2-HMAC-SHA256 with one iteration around ROMix of BlockMix of Salsa20/8. Checked against the
 * RFC's test vectors.
 */
public final class Scrypt {
  private Scrypt() {}

  /** scrypt(passphrase, salt, N = 2^logN, r, p) of {@code length} bytes. */
  public static byte[] derive(byte[] passphrase, byte[] salt, int logN, int r, int p, int length) {
    if (logN < 1 || logN > 24 || r < 1 || r > 32 || p < 1 || p > 16) {
      throw new IllegalArgumentException("scrypt parameters out of range: logN " + logN + ", r " + r + ", p " + p);
    }
    int n = 1 << logN;
    int blockInts = 32 * r;
    byte[] b = pbkdf2(passphrase, salt, p * 128 * r);
    int[] x = new int[blockInts];
    int[] v = new int[n * blockInts];
    int[] y = new int[blockInts];
    int[] t = new int[16];
    for (int i = 0; i < p; i++) {
      int off = i * 128 * r;
      for (int k = 0; k < blockInts; k++) {
        x[k] = intLe(b, off + 4 * k);
      }
      for (int j = 0; j < n; j++) {
        System.arraycopy(x, 0, v, j * blockInts, blockInts);
        blockMix(x, y, t, r);
      }
      for (int j = 0; j < n; j++) {
        int at = (x[blockInts - 16] & (n - 1)) * blockInts; // Integerify: the last 64-byte block's first word
        for (int k = 0; k < blockInts; k++) {
          x[k] ^= v[at + k];
        }
        blockMix(x, y, t, r);
      }
      for (int k = 0; k < blockInts; k++) {
        putIntLe(b, off + 4 * k, x[k]);
      }
    }
    byte[] out = new byte[length];
    System.arraycopy(pbkdf2(passphrase, b, length), 0, out, 0, length);
    return out;
  }

  /** BlockMix_salsa20/8 of {@code b} in place; {@code y} is scratch of the same size, {@code x} of 16. */
  private static void blockMix(int[] b, int[] y, int[] x, int r) {
    System.arraycopy(b, (2 * r - 1) * 16, x, 0, 16);
    for (int i = 0; i < 2 * r; i++) {
      for (int k = 0; k < 16; k++) {
        x[k] ^= b[i * 16 + k];
      }
      salsa8(x);
      // even blocks to the first half, odd ones to the second
      System.arraycopy(x, 0, y, ((i & 1) * r + (i >> 1)) * 16, 16);
    }
    System.arraycopy(y, 0, b, 0, 32 * r);
  }

  private static void salsa8(int[] b) {
    int x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7];
    int x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15];
    for (int i = 0; i < 8; i += 2) {
      x4 ^= Integer.rotateLeft(x0 + x12, 7);  x8 ^= Integer.rotateLeft(x4 + x0, 9);
      x12 ^= Integer.rotateLeft(x8 + x4, 13); x0 ^= Integer.rotateLeft(x12 + x8, 18);
      x9 ^= Integer.rotateLeft(x5 + x1, 7);   x13 ^= Integer.rotateLeft(x9 + x5, 9);
      x1 ^= Integer.rotateLeft(x13 + x9, 13); x5 ^= Integer.rotateLeft(x1 + x13, 18);
      x14 ^= Integer.rotateLeft(x10 + x6, 7); x2 ^= Integer.rotateLeft(x14 + x10, 9);
      x6 ^= Integer.rotateLeft(x2 + x14, 13); x10 ^= Integer.rotateLeft(x6 + x2, 18);
      x3 ^= Integer.rotateLeft(x15 + x11, 7); x7 ^= Integer.rotateLeft(x3 + x15, 9);
      x11 ^= Integer.rotateLeft(x7 + x3, 13); x15 ^= Integer.rotateLeft(x11 + x7, 18);
      x1 ^= Integer.rotateLeft(x0 + x3, 7);   x2 ^= Integer.rotateLeft(x1 + x0, 9);
      x3 ^= Integer.rotateLeft(x2 + x1, 13);  x0 ^= Integer.rotateLeft(x3 + x2, 18);
      x6 ^= Integer.rotateLeft(x5 + x4, 7);   x7 ^= Integer.rotateLeft(x6 + x5, 9);
      x4 ^= Integer.rotateLeft(x7 + x6, 13);  x5 ^= Integer.rotateLeft(x4 + x7, 18);
      x11 ^= Integer.rotateLeft(x10 + x9, 7); x8 ^= Integer.rotateLeft(x11 + x10, 9);
      x9 ^= Integer.rotateLeft(x8 + x11, 13); x10 ^= Integer.rotateLeft(x9 + x8, 18);
      x12 ^= Integer.rotateLeft(x15 + x14, 7); x13 ^= Integer.rotateLeft(x12 + x15, 9);
      x14 ^= Integer.rotateLeft(x13 + x12, 13); x15 ^= Integer.rotateLeft(x14 + x13, 18);
    }
    b[0] += x0; b[1] += x1; b[2] += x2; b[3] += x3; b[4] += x4; b[5] += x5; b[6] += x6; b[7] += x7;
    b[8] += x8; b[9] += x9; b[10] += x10; b[11] += x11; b[12] += x12; b[13] += x13; b[14] += x14; b[15] += x15;
  }

  /** PBKDF2-HMAC-SHA256 with one iteration, as scrypt uses it (so U1 is each block). */
  static byte[] pbkdf2(byte[] passphrase, byte[] salt, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(passphrase.length == 0 ? new byte[64] : passphrase, "HmacSHA256"));
      byte[] out = new byte[length];
      for (int i = 1, done = 0; done < length; i++) {
        mac.update(salt);
        mac.update(new byte[] {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
        byte[] u = mac.doFinal();
        int n = Math.min(u.length, length - done);
        System.arraycopy(u, 0, out, done, n);
        done += n;
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JDK", e);
    }
  }

  private static int intLe(byte[] b, int at) {
    return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
  }

  private static void putIntLe(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >>> 8);
    b[at + 2] = (byte) (v >>> 16);
    b[at + 3] = (byte) (v >>> 24);
  }
}
