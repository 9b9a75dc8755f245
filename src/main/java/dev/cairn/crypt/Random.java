package dev.cairn.crypt;

import java.security.SecureRandom;

/** The one source of key material, salts and ids. */
final class Random {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Random() {}

  static byte[] bytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }
}
