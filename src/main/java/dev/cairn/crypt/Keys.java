package dev.cairn.crypt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who backups are encrypted for (the slots written into every new archive) and what this process can
 * open them with (passphrases, X25519 identities). Immutable, except for a memo of scrypt results, so
 * one passphrase costs one scrypt per process and salt rather than one per archive opened.
 * {@link #NONE}: no encryption, no keys. {@code toString} never shows a secret.
 */
public final class Keys {
  /** scrypt cost for new passphrase slots: N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s). */
  public static final int SCRYPT_LOG_N = 15;
  public static final int SCRYPT_R = 8;
  public static final int SCRYPT_P = 1;

  /** A slot to write into new archives. */
  public sealed interface Slot {
    String id();
  }

  /** A passphrase slot: the data key wrapped by scrypt(passphrase). The passphrase also opens archives. */
  public record PassphraseSlot(String id, byte[] passphrase) implements Slot {
    @Override
    public String toString() {
      return id + " (passphrase)";
    }
  }

  /** A recipient slot: the data key wrapped for an X25519 public key; this process cannot open it. */
  public record RecipientSlot(String id, byte[] publicKey) implements Slot {
    @Override
    public String toString() {
      return id + " (x25519)";
    }
  }

  public static final Keys NONE = new Keys(List.of(), List.of(), List.of());

  private final List<Slot> slots;
  private final List<byte[]> passphrases;
  private final List<X25519.Identity> identities;
  private final Map<String, byte[]> kekMemo = new ConcurrentHashMap<>();
  private final Map<String, byte[]> saltOfSlot = new ConcurrentHashMap<>();

  private Keys(List<Slot> slots, List<byte[]> passphrases, List<X25519.Identity> identities) {
    this.slots = List.copyOf(slots);
    List<byte[]> all = new ArrayList<>(passphrases);
    for (Slot s : slots) {
      if (s instanceof PassphraseSlot p) {
        all.add(p.passphrase());
      }
    }
    this.passphrases = List.copyOf(all);
    this.identities = List.copyOf(identities);
  }

  /** Slots to write (none: new archives are not encrypted), plus passphrases and identities to open with. */
  public static Keys of(List<Slot> slots, List<byte[]> passphrases, List<X25519.Identity> identities) {
    return new Keys(slots, passphrases, identities);
  }

  /** The same secrets to open with, writing {@code newSlots} instead. */
  public Keys withSlots(List<Slot> newSlots) {
    return new Keys(newSlots, passphrases, identities);
  }

  public List<Slot> slots() {
    return slots;
  }

  public boolean encrypts() {
    return !slots.isEmpty();
  }

  /** Whether any passphrase or identity was given to open archives with. */
  public boolean canOpen() {
    return !passphrases.isEmpty() || !identities.isEmpty();
  }

  List<byte[]> passphrases() {
    return passphrases;
  }

  List<X25519.Identity> identities() {
    return identities;
  }

  /**
   * Starts, on a daemon thread, what this process will need before its first chunk: the scrypt of every
   * passphrase slot it writes (into the memo, under the salt its archives will carry, so creating an
   * archive finds it done) and then the AES-GCM warm-up. Both would otherwise run in front of the first
   * chunk; here they overlap connecting, locking and planning. Returns this, at once; nothing to do for
   * keys that neither encrypt nor open.
   */
  public Keys prepare() {
    if (!encrypts() && !canOpen()) {
      return this;
    }
    Thread t = new Thread(() -> {
      for (Slot s : slots) {
        if (s instanceof PassphraseSlot p) {
          kek(p.passphrase(), saltFor(p), SCRYPT_LOG_N, SCRYPT_R, SCRYPT_P);
        }
      }
      GcmWarmUp.runHere();
    }, "cairn-keys-prepare");
    t.setDaemon(true);
    t.start();
    return this;
  }

  /** The salt this process uses for a passphrase slot: one per process and slot, so scrypt runs once. */
  byte[] saltFor(PassphraseSlot s) {
    return saltOfSlot.computeIfAbsent(s.id(), k -> Random.bytes(16));
  }

  /** scrypt(passphrase, salt, 2^logN, r, p), memoised. */
  byte[] kek(byte[] passphrase, byte[] salt, int logN, int r, int p) {
    String memoKey = java.util.HexFormat.of().formatHex(Hkdf.hmac(salt, passphrase)) + "/" + logN + "/" + r + "/" + p;
    return kekMemo.computeIfAbsent(memoKey, k -> Scrypt.derive(passphrase, salt, logN, r, p, 32));
  }

  @Override
  public String toString() {
    return "keys(slots " + slots + ", " + passphrases.size() + " passphrase(s), " + identities.size()
        + " identit" + (identities.size() == 1 ? "y" : "ies") + ")";
  }
}
