package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.CODEC_LZ4_FRAME;
import static dev.cairn.archive.ArchiveFormat.CODEC_NONE;
import static dev.cairn.archive.ArchiveFormat.FILE_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.FORMAT_VERSION;
import static dev.cairn.archive.ArchiveFormat.KIND_MANIFEST;
import static dev.cairn.archive.ArchiveFormat.TRAILER_SIZE;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * Pure encoding and checking of the fixed-size structures (file header, chunk header, trailer) on
 * byte buffers, independent of where the bytes come from (a file today, HTTP range reads later).
 * All integers big-endian; buffers are accessed with absolute indexes only.
 */
final class Layout {
  static final byte[] FILE_MAGIC = ascii("CAIRNARC");
  static final byte[] CHUNK_MAGIC = ascii("CHNK");
  static final byte[] TRAILER_MAGIC = ascii("CAIRNEND");
  /** Archive flags (header and trailer) known to version 2: bit 0, encrypted. */
  static final int KNOWN_ARCHIVE_FLAGS = ArchiveFormat.ARCHIVE_FLAG_ENCRYPTED;

  /** What the file header says. */
  record Header(int version, int flags) {
    boolean encrypted() {
      return (flags & ArchiveFormat.ARCHIVE_FLAG_ENCRYPTED) != 0;
    }
  }

  /** What the trailer says. */
  record Trailer(long manifestOffset, long manifestLength, int manifestCrc32c) {}

  private Layout() {}

  static int crc32c(ByteBuffer buf, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(buf.slice(off, len));
    return (int) c.getValue();
  }

  static void putFileHeader(ByteBuffer b, int flags) {
    b.put(0, FILE_MAGIC);
    b.putShort(8, (short) FORMAT_VERSION);
    b.putShort(10, (short) flags);
    b.putInt(12, crc32c(b, 0, 12));
  }

  /** Checks the 16-byte header at {@code b[0]}. */
  static Header checkFileHeader(ByteBuffer b, String source) {
    if (!matches(b, 0, FILE_MAGIC)) {
      throw corrupt(source + " is not a cairn archive: bad header magic at byte offset 0 (expected \"CAIRNARC\", found "
          + printable(b, 0, 8) + ")");
    }
    int expected = crc32c(b, 0, 12);
    int found = b.getInt(12);
    if (expected != found) {
      throw corrupt(source + ": header crc32c mismatch at byte offset 12 (expected " + hex(expected) + ", found "
          + hex(found) + ")");
    }
    Header h = new Header(b.getShort(8) & 0xFFFF, b.getShort(10) & 0xFFFF);
    checkVersionAndFlags(source, "header", 8, h.version(), h.flags());
    return h;
  }

  static void putChunkHeader(ByteBuffer b, int at, int kind, int codec, int flags, int stored, int raw, int crc) {
    b.put(at, CHUNK_MAGIC);
    b.put(at + 4, (byte) kind);
    b.put(at + 5, (byte) codec);
    b.putShort(at + 6, (short) flags);
    b.putInt(at + 8, stored);
    b.putInt(at + 12, raw);
    b.putInt(at + 16, crc);
  }

  /**
   * Parses and checks the chunk header at {@code b[at]}, which lies at {@code fileOffset} in an
   * archive whose chunks must end by {@code limit}. {@code context} is "archive X: chunk at byte
   * offset N". In an encrypted archive every chunk but the key block is encrypted; in others none is.
   */
  static ChunkRef parseChunkHeader(ByteBuffer b, int at, long fileOffset, long limit, boolean encryptedArchive,
      String context) {
    if (!matches(b, at, CHUNK_MAGIC)) {
      throw corrupt(context + ": bad chunk magic (expected \"CHNK\", found " + printable(b, at, 4) + ")");
    }
    int kind = b.get(at + 4) & 0xFF;
    int codec = b.get(at + 5) & 0xFF;
    int flags = b.getShort(at + 6) & 0xFFFF;
    long stored = Integer.toUnsignedLong(b.getInt(at + 8));
    long raw = Integer.toUnsignedLong(b.getInt(at + 12));
    int crc = b.getInt(at + 16);
    if (!ArchiveFormat.knownKind(kind) || (kind == ArchiveFormat.KIND_KEYS && !encryptedArchive)) {
      throw corrupt(context + ": unknown chunk kind " + kind + " at byte offset " + (fileOffset + 4)
          + " (expected 1 data, 2 schema or 3 manifest" + (encryptedArchive ? ", or 4 keys" : "") + ")");
    }
    if (!ArchiveFormat.knownCodec(codec)) {
      throw corrupt(context + ": unknown codec " + codec + " at byte offset " + (fileOffset + 5)
          + " (expected 0 none or 1 lz4-frame)");
    }
    boolean sealed = encryptedArchive && kind != ArchiveFormat.KIND_KEYS;
    checkChunkFlags(flags, sealed, encryptedArchive, context, fileOffset + 6);
    if (kind == ArchiveFormat.KIND_KEYS && codec != CODEC_NONE) {
      throw corrupt(context + ": the key block has codec " + codec + ", expected 0 none");
    }
    long max = ArchiveFormat.maxRawLength(kind);
    if (raw > max) {
      throw corrupt(context + ": raw length " + raw + " at byte offset " + (fileOffset + 12)
          + " exceeds the " + max + "-byte limit for kind " + kind);
    }
    long overhead = sealed ? dev.cairn.crypt.ChunkCipher.OVERHEAD : 0;
    if (codec == CODEC_NONE && stored != raw + overhead) {
      throw corrupt(context + ": uncompressed chunk has stored length " + stored + " but raw length " + raw
          + (sealed ? " (expected raw length + " + overhead + " for nonce and tag)" : ""));
    }
    if (codec == CODEC_LZ4_FRAME && (stored >= raw + overhead || stored < overhead)) {
      throw corrupt(context + ": lz4-frame chunk has stored length " + stored + ", expected less than its raw length "
          + raw + (sealed ? " + " + overhead + " for nonce and tag" : ""));
    }
    if (fileOffset + CHUNK_HEADER_SIZE + stored > limit) {
      throw corrupt(context + ": stored length " + stored + " runs past byte offset " + limit
          + ", where the chunk area ends");
    }
    return new ChunkRef(fileOffset, (int) stored, (int) raw, crc, kind, codec, flags);
  }

  /** A sealed chunk has exactly the encrypted flag; any other exactly none. */
  static void checkChunkFlags(int flags, boolean sealed, boolean encryptedArchive, String context, long flagsOffset) {
    int expected = sealed ? ArchiveFormat.CHUNK_FLAG_ENCRYPTED : 0;
    if (flags == expected) {
      return;
    }
    if (!sealed && (flags & ArchiveFormat.CHUNK_FLAG_ENCRYPTED) != 0) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": chunk flags " + hex16(flags) + " at byte offset "
          + flagsOffset + " mark an encrypted chunk, " + (encryptedArchive ? "but the key block never is"
          : "but the archive's header does not announce encryption"));
    }
    if (sealed && (flags & ArchiveFormat.CHUNK_FLAG_ENCRYPTED) == 0) {
      throw corrupt(context + ": chunk flags " + hex16(flags) + " at byte offset " + flagsOffset + " mark a plaintext"
          + " chunk in an encrypted archive");
    }
    throw corrupt(context + ": unknown chunk flags " + hex16(flags & ~ArchiveFormat.CHUNK_FLAG_ENCRYPTED)
        + " at byte offset " + flagsOffset + " (this version knows only bit 0, encrypted)");
  }

  static void putTrailer(ByteBuffer b, int at, long manifestOffset, long manifestLength, int manifestCrc, int flags) {
    b.putLong(at, manifestOffset);
    b.putLong(at + 8, manifestLength);
    b.putInt(at + 16, manifestCrc);
    b.putShort(at + 20, (short) FORMAT_VERSION);
    b.putShort(at + 22, (short) flags);
    b.putInt(at + 24, crc32c(b, at, 24));
    b.put(at + 28, TRAILER_MAGIC);
  }

  /**
   * Checks the {@value ArchiveFormat#TRAILER_SIZE}-byte trailer at {@code b[0]}, read from the end of
   * a file of {@code fileSize} bytes, and that the manifest chunk it points to fills the space
   * between the data chunks and the trailer exactly (in an encrypted archive: leaves room for the key
   * block chunk just before the trailer). Version and flags must equal the file header's.
   */
  static Trailer parseTrailer(ByteBuffer b, long fileSize, String source, Header header) {
    long at = fileSize - TRAILER_SIZE;
    if (!matches(b, 28, TRAILER_MAGIC)) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, source + ": bad trailer magic at byte offset " + (at + 28)
          + " (expected \"CAIRNEND\", found " + printable(b, 28, 8) + ")",
          "the archive is truncated or was never finished; it cannot be used");
    }
    int expected = crc32c(b, 0, 24);
    int found = b.getInt(24);
    if (expected != found) {
      throw corrupt(source + ": trailer crc32c mismatch at byte offset " + (at + 24) + " (expected " + hex(expected)
          + ", found " + hex(found) + ")");
    }
    int version = b.getShort(20) & 0xFFFF;
    int flags = b.getShort(22) & 0xFFFF;
    checkVersionAndFlags(source, "trailer", at + 20, version, flags);
    if (version != header.version() || flags != header.flags()) {
      throw corrupt(source + ": trailer at byte offset " + at + " says format version " + version + ", flags "
          + hex16(flags) + ", but the header says version " + header.version() + ", flags " + hex16(header.flags()));
    }
    long offset = b.getLong(0);
    long length = b.getLong(8);
    long keys = header.encrypted() ? CHUNK_HEADER_SIZE : 0;
    if (offset < FILE_HEADER_SIZE || length < CHUNK_HEADER_SIZE || offset > at
        || (keys == 0 ? length != at - offset : length > at - offset - keys)) {
      throw corrupt(source + ": trailer at byte offset " + at + " gives manifest offset " + Long.toUnsignedString(offset)
          + " and length " + Long.toUnsignedString(length) + ", expected a chunk that starts at or after byte offset "
          + FILE_HEADER_SIZE + " and ends " + (keys == 0 ? "at the trailer (byte offset " + at + ")"
          : "at least " + keys + " bytes before the trailer (byte offset " + at + "), leaving room for the key block"));
    }
    if (length > CHUNK_HEADER_SIZE + (long) ArchiveFormat.MAX_MANIFEST_RAW_LENGTH) {
      throw corrupt(source + ": manifest length " + length + " in the trailer at byte offset " + at
          + " exceeds the limit of " + (CHUNK_HEADER_SIZE + (long) ArchiveFormat.MAX_MANIFEST_RAW_LENGTH));
    }
    return new Trailer(offset, length, b.getInt(16));
  }

  /** Checks that a manifest chunk header agrees with the trailer that points to it. */
  static void checkManifestHeader(ChunkRef header, Trailer t, String context) {
    if (header.kind() != KIND_MANIFEST) {
      throw corrupt(context + ": the trailer points to a chunk of kind " + header.kind() + ", expected 3 (manifest)");
    }
    if (CHUNK_HEADER_SIZE + Integer.toUnsignedLong(header.storedLength()) != t.manifestLength()) {
      throw corrupt(context + ": manifest chunk stored length " + header.storedLength()
          + " disagrees with the trailer's manifest length " + t.manifestLength());
    }
    if (header.crc32c() != t.manifestCrc32c()) {
      throw corrupt(context + ": manifest chunk header crc32c " + hex(header.crc32c())
          + " disagrees with the trailer's " + hex(t.manifestCrc32c()));
    }
  }

  /** Checks that the header read at {@code ref.offset()} is the one the ref describes. */
  static void checkMatchesRef(ChunkRef header, ChunkRef ref, String context) {
    mismatch(context, "kind", header.kind(), ref.kind());
    mismatch(context, "codec", header.codec(), ref.codec());
    mismatch(context, "flags", header.flags(), ref.flags());
    mismatch(context, "stored length", header.storedLength(), ref.storedLength());
    mismatch(context, "raw length", header.rawLength(), ref.rawLength());
    if (header.crc32c() != ref.crc32c()) {
      throw corrupt(context + ": header crc32c " + hex(header.crc32c()) + " disagrees with the chunk ref's "
          + hex(ref.crc32c()));
    }
  }

  private static void mismatch(String context, String field, int inHeader, int inRef) {
    if (inHeader != inRef) {
      throw corrupt(context + ": header " + field + " " + inHeader + " disagrees with the chunk ref's " + inRef);
    }
  }

  private static void checkVersionAndFlags(String source, String where, long versionOffset, int version, int flags) {
    if (version < ArchiveFormat.OLDEST_FORMAT_VERSION || version > FORMAT_VERSION) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, source + ": " + where + " format version " + version
          + " at byte offset " + versionOffset + " is not supported (this version of cairn reads versions "
          + ArchiveFormat.OLDEST_FORMAT_VERSION + " to " + FORMAT_VERSION + ")",
          version > FORMAT_VERSION ? "read this archive with a newer version of cairn" : null);
    }
    int unknown = flags & ~(version == 1 ? 0 : KNOWN_ARCHIVE_FLAGS);
    if (unknown != 0) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, source + ": " + where + " has unknown archive flags "
          + hex16(unknown) + " at byte offset " + (versionOffset + 2), "read this archive with a newer version of cairn");
    }
  }

  static String hex(int v) {
    return String.format("0x%08x", v);
  }

  private static String hex16(int v) {
    return String.format("0x%04x", v);
  }

  private static boolean matches(ByteBuffer b, int at, byte[] magic) {
    for (int i = 0; i < magic.length; i++) {
      if (b.get(at + i) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  /** The bytes as a quoted ASCII string when printable, else as hex. */
  private static String printable(ByteBuffer b, int at, int len) {
    StringBuilder s = new StringBuilder("\"");
    StringBuilder h = new StringBuilder("0x");
    boolean ok = true;
    for (int i = 0; i < len; i++) {
      int c = b.get(at + i) & 0xFF;
      ok &= c >= 0x20 && c < 0x7F && c != '"';
      s.append((char) c);
      h.append(String.format("%02x", c));
    }
    return ok ? s.append('"').toString() : h.toString();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static CairnException corrupt(String message) {
    return new CairnException(ErrorCode.ARCHIVE_CORRUPT, message);
  }
}
