package dev.cairn.cli;

import dev.cairn.config.KeyFiles;
import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Who a new backup is encrypted for (a picocli mixin of backup and key rotate): passphrase files and
 * recipients, each one key slot. Slot ids: {@code passphrase-1}, {@code passphrase-2}, ... and
 * {@code recipient-} with the recipient's first 8 hex digits.
 */
final class EncryptOptions {
  @Option(names = "--passphrase-file", paramLabel = "FILE", description = "encrypt for the passphrase in FILE"
      + " (a key slot; repeatable)")
  List<Path> passphraseFiles = new ArrayList<>();

  @Option(names = "--recipient", paramLabel = "cairn1x25519...", description = "encrypt for this X25519 recipient"
      + " (public key, from cairn key generate; a key slot; repeatable)")
  List<String> recipients = new ArrayList<>();

  /** Keys writing {@link #slots()}, prepared ({@link Keys#prepare}) for the archive the command writes. */
  Keys keys() {
    return Keys.of(slots(), List.of(), List.of()).prepare();
  }

  /** The slots given, none when no option was given. */
  List<Keys.Slot> slots() {
    List<Keys.Slot> slots = new ArrayList<>();
    for (int i = 0; i < passphraseFiles.size(); i++) {
      slots.add(new Keys.PassphraseSlot("passphrase-" + (i + 1), KeyFiles.passphrase(passphraseFiles.get(i))));
    }
    for (String r : recipients) {
      byte[] pub = X25519.parseRecipient(r, "--recipient " + r);
      slots.add(new Keys.RecipientSlot("recipient-" + r.strip().substring(X25519.RECIPIENT_PREFIX.length(),
          X25519.RECIPIENT_PREFIX.length() + 8), pub));
    }
    return slots;
  }
}
