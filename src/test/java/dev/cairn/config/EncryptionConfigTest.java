package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptionConfigTest {
  private static final String RECIPIENT = X25519.generate().recipient();
  @TempDir Path tmp;
  private Path repo;
  private final Map<String, String> env = Map.of("CAIRN_PASSPHRASE", "twelve chars or more");

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectory(tmp.resolve("repo"));
  }

  private String base() {
    return "repository:\n  path: " + repo + "\ndatabases:\n  - name: app\n    url: postgresql://backup@db1/app\n"
        + "    schedule: \"0 2 * * *\"\n";
  }

  private CairnConfig load(String encryption) {
    return ConfigLoader.parse(base() + "encryption:\n" + encryption, "test.yaml", env, tmp);
  }

  private String failure(String encryption) {
    return assertThrows(CairnException.class, () -> load(encryption)).getMessage();
  }

  @Test
  void aPassphraseFromTheEnvironmentAndARecipientMakeTwoSlots() {
    CairnConfig c = load("  keys:\n    - id: ops-2026\n      passphrase: ${CAIRN_PASSPHRASE}\n"
        + "    - {id: dr-vault, recipient: " + RECIPIENT + "}\n");
    assertEquals(2, c.encryption().keys().size());
    assertTrue(c.encryption().toKeys().encrypts());
    assertFalse(c.encryption().toString().contains("twelve chars"), c.encryption().toString());
  }

  @Test
  void onlyLocalPassphrasesAreRefusedUnlessAcknowledged() {
    String keys = "  keys:\n    - {id: ops, passphrase: \"${CAIRN_PASSPHRASE}\"}\n";
    String m = failure(keys);
    assertTrue(m.contains("encryption.keys: every slot is a passphrase this host holds"), m);
    assertTrue(m.contains("encryption.allow_local_passphrase_only: true"), m);
    assertTrue(load(keys + "  allow_local_passphrase_only: true\n").encryption().enabled());
  }

  @Test
  void noEncryptionSectionMeansNoEncryption() throws IOException {
    CairnConfig c = ConfigLoader.parse(base(), "test.yaml", env, tmp);
    assertFalse(c.encryption().enabled());
  }

  @Test
  void badSlotsAreNamedAndAShortPassphraseIsNeverEchoed() {
    String m = failure("  keys:\n    - {id: a, passphrase: short-pw}\n    - {id: a, recipient: cairn1x25519zz}\n"
        + "    - {passphrase: x, recipient: " + RECIPIENT + "}\n");
    assertTrue(m.contains("encryption.keys[0].passphrase: is 8 characters long; at least 12 are needed"), m);
    assertFalse(m.contains("short-pw"), m);
    assertTrue(m.contains("encryption.keys[1].id: \"a\" is used twice"), m);
    assertTrue(m.contains("encryption.keys[1].recipient: recipient is not a cairn recipient"), m);
    assertTrue(m.contains("encryption.keys[2].id: missing"), m);
    assertTrue(m.contains("give exactly one of passphrase"), m);
  }
}
