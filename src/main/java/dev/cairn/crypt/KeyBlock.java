package dev.cairn.crypt;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The plaintext key block of an encrypted archive (format version 2, chunk kind 4): the archive id, the
 * data key wrapped once per slot, and an HMAC-SHA256 over the archive's file header and the slot list
 * under a key derived from the data key, so a slot cannot be added, removed or altered unnoticed by
 * anyone who opens the archive. Payload: the JSON of {@code {"archiveId", "slots"}} then the 32-byte MAC.
 */
public final class KeyBlock {
  private static final HexFormat HEX = HexFormat.of();
  private static final int MAC_LENGTH = 32;
  private static final int ARCHIVE_ID_LENGTH = 16;
  private static final int DATA_KEY_LENGTH = 32;

  private final byte[] archiveId;
  private final JsonArray slots;
  private final byte[] payload;

  private KeyBlock(byte[] archiveId, JsonArray slots, byte[] payload) {
    this.archiveId = archiveId;
    this.slots = slots;
    this.payload = payload;
  }

  /** A new block for {@code keys.slots()} around a new random data key. */
  public static Unlocked create(Keys keys, byte[] fileHeader) {
    byte[] dataKey = Random.bytes(DATA_KEY_LENGTH);
    return new Unlocked(build(Random.bytes(ARCHIVE_ID_LENGTH), dataKey, keys, fileHeader), dataKey);
  }

  /** A block for the same archive and data key wrapped for {@code keys.slots()} (key rotation). */
  public KeyBlock rewrap(byte[] dataKey, Keys keys, byte[] fileHeader) {
    return build(archiveId, dataKey, keys, fileHeader);
  }

  /** A key block and the data key it wraps. */
  public record Unlocked(KeyBlock block, byte[] dataKey) {
    public ChunkCipher cipher() {
      return new ChunkCipher(dataKey, block.archiveId);
    }

    @Override
    public String toString() {
      return "unlocked " + block; // never the key
    }
  }

  private static KeyBlock build(byte[] archiveId, byte[] dataKey, Keys keys, byte[] fileHeader) {
    JsonArray slots = new JsonArray();
    for (Keys.Slot s : keys.slots()) {
      JsonObject j = new JsonObject().put("id", s.id());
      byte[] kek;
      if (s instanceof Keys.PassphraseSlot p) {
        byte[] salt = keys.saltFor(p);
        j.put("type", "passphrase").put("salt", HEX.formatHex(salt)).put("logN", Keys.SCRYPT_LOG_N)
            .put("r", Keys.SCRYPT_R).put("p", Keys.SCRYPT_P);
        kek = keys.kek(p.passphrase(), salt, Keys.SCRYPT_LOG_N, Keys.SCRYPT_R, Keys.SCRYPT_P);
      } else {
        Keys.RecipientSlot r = (Keys.RecipientSlot) s;
        X25519.Identity eph = X25519.generate();
        j.put("type", "x25519").put("recipient", X25519.RECIPIENT_PREFIX + HEX.formatHex(r.publicKey()))
            .put("ephemeral", HEX.formatHex(eph.publicKey()));
        kek = x25519Kek(X25519.agree(eph.secret(), r.publicKey()), eph.publicKey(), r.publicKey());
      }
      byte[] nonce = Random.bytes(12);
      j.put("nonce", HEX.formatHex(nonce)).put("wrapped", HEX.formatHex(wrap(kek, nonce, slotAd(archiveId, s.id()),
          dataKey)));
      slots.add(j);
    }
    byte[] json = new JsonObject().put("archiveId", HEX.formatHex(archiveId)).put("slots", slots).encode()
        .getBytes(StandardCharsets.UTF_8);
    byte[] payload = ByteBuffer.allocate(json.length + MAC_LENGTH).put(json).put(mac(dataKey, archiveId, fileHeader,
        json)).array();
    return new KeyBlock(archiveId, slots, payload);
  }

  /** Parses a key block's payload; ARCHIVE_CORRUPT naming {@code context} when it is not one. */
  public static KeyBlock parse(byte[] payload, String context) {
    try {
      if (payload.length <= MAC_LENGTH) {
        throw new IllegalArgumentException("too short");
      }
      JsonObject j = new JsonObject(new String(payload, 0, payload.length - MAC_LENGTH, StandardCharsets.UTF_8));
      byte[] id = HEX.parseHex(j.getString("archiveId"));
      JsonArray slots = j.getJsonArray("slots");
      if (id.length != ARCHIVE_ID_LENGTH || slots == null || slots.isEmpty()) {
        throw new IllegalArgumentException("no archive id or no slots");
      }
      for (int i = 0; i < slots.size(); i++) {
        JsonObject s = slots.getJsonObject(i);
        String type = s.getString("type");
        if (s.getString("id") == null || !("passphrase".equals(type) || "x25519".equals(type))) {
          throw new IllegalArgumentException("slot " + i + " has no id or an unknown type " + type);
        }
      }
      return new KeyBlock(id, slots, payload.clone());
    } catch (RuntimeException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": the key block cannot be parsed (" + e.getMessage()
          + ")");
    }
  }

  /**
   * Unwraps the data key with any of {@code keys}' passphrases or identities and checks the MAC.
   * ARCHIVE_KEY naming the slots when no key fits; ARCHIVE_CORRUPT when the MAC does not match.
   */
  public Unlocked unlock(Keys keys, byte[] fileHeader, String context) {
    for (int i = 0; i < slots.size(); i++) {
      JsonObject s = slots.getJsonObject(i);
      byte[] dataKey = tryUnwrap(s, keys, context);
      if (dataKey != null) {
        byte[] json = java.util.Arrays.copyOf(payload, payload.length - MAC_LENGTH);
        byte[] found = java.util.Arrays.copyOfRange(payload, payload.length - MAC_LENGTH, payload.length);
        if (!MessageDigest.isEqual(mac(dataKey, archiveId, fileHeader, json), found)) {
          throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": the key block's MAC does not match: its"
              + " slots or the file header were altered after the archive was written (slot " + s.getString("id")
              + " opened it)");
        }
        return new Unlocked(this, dataKey);
      }
    }
    String given = keys.canOpen() ? "none of the given keys (" + keys.passphrases().size() + " passphrase(s), "
        + keys.identities().size() + " identit" + (keys.identities().size() == 1 ? "y" : "ies") + ") opens any of them"
        : "no key was given";
    throw new CairnException(ErrorCode.ARCHIVE_KEY, context + " is encrypted for the key slots " + slotNames() + "; "
        + given, "pass the key of one of those slots: --passphrase-file FILE or --identity FILE (or the environment"
        + " variables CAIRN_PASSPHRASE, CAIRN_IDENTITY)");
  }

  /** The slots as "id (type)", e.g. "ops-2026 (passphrase), dr-vault (x25519 cairn1x25519ab12cd34…)". */
  public String slotNames() {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      JsonObject s = slots.getJsonObject(i);
      String type = s.getString("type");
      names.add(s.getString("id") + " (" + ("x25519".equals(type) ? "x25519 " + abbreviate(s.getString("recipient"))
          : type) + ")");
    }
    return String.join(", ", names);
  }

  /** Slot ids in order. */
  public List<String> slotIds() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      ids.add(slots.getJsonObject(i).getString("id"));
    }
    return ids;
  }

  /** Whether this block has exactly {@code keys}' slots, in order: same ids, types and recipients. */
  public boolean sameSlots(Keys keys) {
    if (slots.size() != keys.slots().size()) {
      return false;
    }
    for (int i = 0; i < slots.size(); i++) {
      JsonObject s = slots.getJsonObject(i);
      Keys.Slot want = keys.slots().get(i);
      if (!want.id().equals(s.getString("id"))) {
        return false;
      }
      boolean same = want instanceof Keys.RecipientSlot r
          ? "x25519".equals(s.getString("type"))
              && (X25519.RECIPIENT_PREFIX + HEX.formatHex(r.publicKey())).equals(s.getString("recipient"))
          : "passphrase".equals(s.getString("type"));
      if (!same) {
        return false;
      }
    }
    return true;
  }

  /** The ids of the slots {@code keys} can open, without checking the MAC (for {@code key check}). */
  public List<String> openableBy(Keys keys, String context) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      if (tryUnwrap(slots.getJsonObject(i), keys, context) != null) {
        ids.add(slots.getJsonObject(i).getString("id"));
      }
    }
    return ids;
  }

  public byte[] payload() {
    return payload.clone();
  }

  public byte[] archiveId() {
    return archiveId.clone();
  }

  @Override
  public String toString() {
    return "key block with slots " + slotNames();
  }

  private static String abbreviate(String recipient) {
    return recipient == null || recipient.length() < 24 ? String.valueOf(recipient) : recipient.substring(0, 24) + "…";
  }

  private byte[] tryUnwrap(JsonObject s, Keys keys, String context) {
    try {
      byte[] nonce = HEX.parseHex(s.getString("nonce"));
      byte[] wrapped = HEX.parseHex(s.getString("wrapped"));
      byte[] ad = slotAd(archiveId, s.getString("id"));
      if ("passphrase".equals(s.getString("type"))) {
        byte[] salt = HEX.parseHex(s.getString("salt"));
        int logN = s.getInteger("logN");
        int r = s.getInteger("r");
        int p = s.getInteger("p");
        for (byte[] pass : keys.passphrases()) {
          byte[] dk = unwrap(keys.kek(pass, salt, logN, r, p), nonce, ad, wrapped);
          if (dk != null) {
            return dk;
          }
        }
        return null;
      }
      byte[] recipient = X25519.parseRecipient(s.getString("recipient"), "slot " + s.getString("id"));
      byte[] eph = HEX.parseHex(s.getString("ephemeral"));
      for (X25519.Identity id : keys.identities()) {
        if (MessageDigest.isEqual(id.publicKey(), recipient)) {
          byte[] dk = unwrap(x25519Kek(X25519.agree(id.secret(), eph), eph, recipient), nonce, ad, wrapped);
          if (dk != null) {
            return dk;
          }
        }
      }
      return null;
    } catch (CairnException | IllegalArgumentException | NullPointerException | ClassCastException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": key slot " + s.getString("id")
          + " is malformed (" + e.getMessage() + ")");
    }
  }

  private static byte[] x25519Kek(byte[] shared, byte[] ephemeral, byte[] recipient) {
    byte[] salt = ByteBuffer.allocate(64).put(ephemeral).put(recipient).array();
    return Hkdf.derive(salt, shared, "cairn v2 x25519 slot");
  }

  private static byte[] slotAd(byte[] archiveId, String slotId) {
    byte[] id = slotId.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(13 + archiveId.length + id.length).put("cairn v2 slot".getBytes(StandardCharsets.US_ASCII))
        .put(archiveId).put(id).array();
  }

  private static byte[] mac(byte[] dataKey, byte[] archiveId, byte[] fileHeader, byte[] json) {
    byte[] key = Hkdf.derive(archiveId, dataKey, "cairn v2 key block mac");
    return Hkdf.hmac(key, fileHeader, json);
  }

  private static byte[] wrap(byte[] kek, byte[] nonce, byte[] ad, byte[] dataKey) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(ad);
      return c.doFinal(dataKey);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }

  /** The data key, or null when {@code kek} is not the slot's key. */
  private static byte[] unwrap(byte[] kek, byte[] nonce, byte[] ad, byte[] wrapped) {
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(kek, "AES"), new GCMParameterSpec(128, nonce));
      c.updateAAD(ad);
      byte[] dk = c.doFinal(wrapped);
      return dk.length == DATA_KEY_LENGTH ? dk : null;
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed", e);
    }
  }
}
