package dev.cairn.config;

import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code encryption:} the key slots every new backup is encrypted for. A passphrase slot (scrypt) also
 * lets the agent open backups for restore and verify; a recipient slot (an X25519 public key) does not:
 * its identity stays off the host. No keys: backups are not encrypted. {@code toString} hides passphrases.
 *
 * @param allowLocalPassphraseOnly the operator accepts that every slot is a passphrase this host holds
 */
public record EncryptionConfig(List<Key> keys, boolean allowLocalPassphraseOnly) {
  public static final EncryptionConfig NONE = new EncryptionConfig(List.of(), false);
  /** Slot ids: they appear in archives' key blocks and in messages. */
  public static final Pattern SLOT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,62}");
  /** Shorter passphrases are refused: scrypt slows guessing, it cannot save a short one. */
  public static final int MIN_PASSPHRASE_LENGTH = 12;

  /** One slot: exactly one of passphrase (a secret) and recipient ({@code cairn1x25519...}). */
  public record Key(String id, String passphrase, String recipient) {
    @Override
    public String toString() {
      return id + (passphrase != null ? " (passphrase)" : " (recipient " + recipient + ")");
    }
  }

  public EncryptionConfig {
    keys = List.copyOf(keys);
  }

  public boolean enabled() {
    return !keys.isEmpty();
  }

  /** The slots, as the archive writer and reader take them. */
  public Keys toKeys() {
    List<Keys.Slot> slots = new ArrayList<>();
    for (Key k : keys) {
      slots.add(k.passphrase() != null
          ? new Keys.PassphraseSlot(k.id(), k.passphrase().getBytes(StandardCharsets.UTF_8))
          : new Keys.RecipientSlot(k.id(), X25519.parseRecipient(k.recipient(), "encryption key " + k.id())));
    }
    return Keys.of(slots, List.of(), List.of());
  }
}
