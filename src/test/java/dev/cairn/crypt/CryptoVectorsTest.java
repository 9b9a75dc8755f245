package dev.cairn.crypt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The primitives against their specifications' published test vectors. */
class CryptoVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void scryptMatchesRfc7914Vectors() {
    assertEquals("77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442fcd0069ded0948f8326a753a0fc81f17"
        + "e8d3e0fb2e0d3628cf35e20c38d18906", HEX.formatHex(Scrypt.derive(new byte[0], new byte[0], 4, 1, 1, 64)));
    assertEquals("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff109279d9830da"
        + "c727afb94a83ee6d8360cbdfa2cc0640", HEX.formatHex(Scrypt.derive(ascii("password"), ascii("NaCl"), 10, 8, 16,
        64)));
    assertEquals("7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2d5432955613f0fcf62d49705242a9af9"
        + "e61e85dc0d651e40dfcf017b45575887", HEX.formatHex(Scrypt.derive(ascii("pleaseletmein"),
        ascii("SodiumChloride"), 14, 8, 1, 64)));
  }

  @Test
  void pbkdf2WithOneIterationMatchesRfc7914Section11() {
    assertEquals("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef31"
        + "7c71b845b1e30bd509112041d3a19783", HEX.formatHex(Scrypt.pbkdf2(ascii("passwd"), ascii("salt"), 64)));
  }

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    byte[] ikm = new byte[22];
    java.util.Arrays.fill(ikm, (byte) 0x0b);
    byte[] okm = Hkdf.derive(HEX.parseHex("000102030405060708090a0b0c"), ikm, HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"), 42);
    assertEquals("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        HEX.formatHex(okm));
  }

  @Test
  void x25519MatchesRfc7748Section61() {
    X25519.Identity alice = X25519.parseIdentity(X25519.IDENTITY_PREFIX
        + "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "test");
    assertEquals(X25519.RECIPIENT_PREFIX + "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        alice.recipient());
    byte[] bobPublic = X25519.parseRecipient(X25519.RECIPIENT_PREFIX
        + "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", "test");
    assertEquals("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
        HEX.formatHex(X25519.agree(alice.secret(), bobPublic)));
  }

  @Test
  void generatedIdentityRoundTripsThroughItsTextForm() {
    X25519.Identity id = X25519.generate();
    X25519.Identity back = X25519.parseIdentity(id.encoded() + "\n", "test");
    assertArrayEquals(id.publicKey(), back.publicKey());
    assertEquals(id.recipient(), back.recipient());
    assertEquals("identity for " + id.recipient(), id.toString());
  }
}
