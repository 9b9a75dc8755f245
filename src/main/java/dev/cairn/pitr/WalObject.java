package dev.cairn.pitr;

import dev.cairn.archive.Lz4Frames;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One WAL segment or timeline history file as the repository holds it: a 12-byte header (magic "CRW1", the
 * raw length, the CRC32C of the raw bytes, big-endian) and a standard LZ4 frame ({@code tail -c +13 | lz4 -d}
 * reads it). Whole objects: a segment is 16 MiB by default.
 */
final class WalObject {
  static final int MAGIC = 0x43525731; // "CRW1"
  static final int HEADER = 12;

  private WalObject() {}

  static byte[] encode(byte[] raw) {
    byte[] frame = Lz4Frames.encode(raw);
    ByteBuffer b = ByteBuffer.allocate(HEADER + frame.length);
    b.putInt(MAGIC).putInt(raw.length).putInt(crc32c(raw)).put(frame);
    return b.array();
  }

  static int storedCrc(byte[] object, String key) {
    check(object, key);
    return ByteBuffer.wrap(object).getInt(8);
  }

  /** The raw bytes, after checking the header, the frame and the CRC32C; ARCHIVE_CORRUPT names the key. */
  static byte[] decode(byte[] object, String key) {
    check(object, key);
    ByteBuffer b = ByteBuffer.wrap(object);
    int rawLength = b.getInt(4);
    int crc = b.getInt(8);
    byte[] frame = new byte[object.length - HEADER];
    b.get(HEADER, frame);
    byte[] raw = Lz4Frames.decode(frame, rawLength, key);
    if (crc32c(raw) != crc) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, key + ": checksum mismatch (CRC32C of the WAL differs from"
          + " the one recorded when it was archived)", "the object is damaged: restore to a point before it, or from"
          + " a copy of the repository");
    }
    return raw;
  }

  private static void check(byte[] object, String key) {
    if (object.length < HEADER || ByteBuffer.wrap(object).getInt(0) != MAGIC || ByteBuffer.wrap(object).getInt(4) < 0) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, key + ": not a cairn WAL object (bad header)",
          "the object is damaged or was not written by cairn");
    }
  }

  static int crc32c(byte[] raw) {
    CRC32C c = new CRC32C();
    c.update(raw);
    return (int) c.getValue();
  }
}
