package dev.cairn.crypt;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.KeyAgreement;

/**
 * X25519 keys on the JDK's XDH, in Cairn's text forms: a recipient (public) is {@code cairn1x25519}
 * and 64 hex digits of the RFC 7748 u-coordinate; an identity (secret) is {@code CAIRN-X25519-SECRET-}
 * and 64 hex digits of the scalar.
 */
public final class X25519 {
  public static final String RECIPIENT_PREFIX = "cairn1x25519";
  public static final String IDENTITY_PREFIX = "CAIRN-X25519-SECRET-";
  private static final HexFormat HEX = HexFormat.of();

  /** A secret key and its public key, raw 32 bytes each. */
  public record Identity(byte[] secret, byte[] publicKey) {
    public String recipient() {
      return RECIPIENT_PREFIX + HEX.formatHex(publicKey);
    }

    public String encoded() {
      return IDENTITY_PREFIX + HEX.formatHex(secret).toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return "identity for " + recipient(); // never the secret
    }
  }

  private X25519() {}

  public static Identity generate() {
    try {
      KeyPair kp = KeyPairGenerator.getInstance("X25519").generateKeyPair();
      byte[] secret = ((XECPrivateKey) kp.getPrivate()).getScalar().orElseThrow();
      return new Identity(secret, rawPublic(kp.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is unavailable in this JDK", e);
    }
  }

  /** Parses an identity; {@code where} names its source (a file, an environment variable) in errors. */
  public static Identity parseIdentity(String text, String where) {
    String t = text.strip();
    // an identity file may start with comment lines
    for (String line : t.split("\n")) {
      if (line.strip().startsWith(IDENTITY_PREFIX)) {
        t = line.strip();
      }
    }
    if (!t.startsWith(IDENTITY_PREFIX) || !t.substring(IDENTITY_PREFIX.length()).matches("[0-9A-Fa-f]{64}")) {
      throw new CairnException(ErrorCode.USAGE, where + " does not hold a cairn identity (expected "
          + IDENTITY_PREFIX + " and 64 hex digits)", "generate one with: cairn key generate --out FILE");
    }
    byte[] secret = HEX.parseHex(t.substring(IDENTITY_PREFIX.length()).toLowerCase(Locale.ROOT));
    try {
      KeyFactory kf = KeyFactory.getInstance("X25519");
      PrivateKey priv = kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, secret));
      // the public key is X25519(secret, 9): agree with the base point
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(priv);
      ka.doPhase(publicKey(littleEndian(9)), true);
      return new Identity(secret, ka.generateSecret());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is unavailable in this JDK", e);
    }
  }

  /** The raw public key of a recipient string; USAGE (naming {@code where}) when malformed. */
  public static byte[] parseRecipient(String text, String where) {
    String t = text == null ? "" : text.strip();
    if (!t.startsWith(RECIPIENT_PREFIX) || !t.substring(RECIPIENT_PREFIX.length()).matches("[0-9a-f]{64}")) {
      throw new CairnException(ErrorCode.USAGE, where + " is not a cairn recipient (expected " + RECIPIENT_PREFIX
          + " and 64 lowercase hex digits)", "cairn key generate prints an identity and its recipient");
    }
    return HEX.parseHex(t.substring(RECIPIENT_PREFIX.length()));
  }

  /** X25519(secret, peer): the shared secret; fails on an all-zero result (a low-order peer key). */
  static byte[] agree(byte[] secret, byte[] peerPublic) {
    try {
      KeyFactory kf = KeyFactory.getInstance("X25519");
      KeyAgreement ka = KeyAgreement.getInstance("X25519");
      ka.init(kf.generatePrivate(new XECPrivateKeySpec(NamedParameterSpec.X25519, secret)));
      ka.doPhase(publicKey(peerPublic), true);
      return ka.generateSecret();
    } catch (java.security.InvalidKeyException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "an x25519 key slot holds an invalid public key");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("X25519 is unavailable in this JDK", e);
    }
  }

  private static PublicKey publicKey(byte[] raw) throws GeneralSecurityException {
    byte[] be = new byte[raw.length];
    for (int i = 0; i < raw.length; i++) {
      be[i] = raw[raw.length - 1 - i];
    }
    be[0] &= 0x7F; // RFC 7748: the top bit of the u-coordinate is masked
    return KeyFactory.getInstance("X25519").generatePublic(new XECPublicKeySpec(NamedParameterSpec.X25519,
        new BigInteger(1, be)));
  }

  private static byte[] rawPublic(PublicKey k) {
    return littleEndian(((XECPublicKey) k).getU());
  }

  private static byte[] littleEndian(long v) {
    return littleEndian(BigInteger.valueOf(v));
  }

  private static byte[] littleEndian(BigInteger u) {
    byte[] be = u.toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < 32 && i < be.length; i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }
}
