package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyOptionsTest {
  @TempDir Path dir;

  @Test
  void environmentGivesAPassphraseAndAnIdentityEitherInlineOrAsAFile() throws Exception {
    X25519.Identity id = X25519.generate();
    Path file = Files.writeString(dir.resolve("id"), "# comment\n" + id.encoded() + "\n");
    KeyOptions o = new KeyOptions();
    Keys inline = o.keys(Map.of("CAIRN_PASSPHRASE", "from the environment", "CAIRN_IDENTITY", id.encoded()));
    assertTrue(inline.canOpen());
    assertEquals("keys(slots [], 1 passphrase(s), 1 identity)", inline.toString());
    Keys fromFile = o.keys(Map.of("CAIRN_IDENTITY", file.toString()));
    assertEquals("keys(slots [], 0 passphrase(s), 1 identity)", fromFile.toString());
    assertFalse(o.keys(Map.of()).canOpen());
  }

  @Test
  void aBadIdentityNamesItsSourceNotItsContent() {
    KeyOptions o = new KeyOptions();
    CairnException e = assertThrows(CairnException.class, () -> o.keys(Map.of("CAIRN_IDENTITY",
        "CAIRN-X25519-SECRET-nothex")));
    assertEquals("environment variable CAIRN_IDENTITY does not hold a cairn identity (expected CAIRN-X25519-SECRET-"
        + " and 64 hex digits)", e.getMessage());
  }

  @Test
  void passphraseFileLosesOnlyItsFinalLineBreakAndMustNotBeEmpty() throws Exception {
    KeyOptions o = new KeyOptions();
    o.passphraseFiles.add(Files.writeString(dir.resolve("p"), "\n"));
    CairnException e = assertThrows(CairnException.class, o::keys);
    assertTrue(e.getMessage().endsWith(" is empty"), e.getMessage());
  }
}
