package dev.cairn.archive;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * Where one chunk lies in an archive and what its header must say: enough to read it alone with one
 * byte-range read of {@code [offset, end())}. The manifest stores one per chunk.
 *
 * @param offset byte offset of the chunk header in the archive file
 * @param storedLength payload bytes as stored (after compression)
 * @param rawLength payload bytes after decompression
 * @param crc32c CRC32C of the stored payload (as a 32-bit pattern; JSON carries it unsigned)
 * @param kind {@link ArchiveFormat#KIND_DATA}, {@link ArchiveFormat#KIND_SCHEMA} or {@link ArchiveFormat#KIND_MANIFEST}
 * @param codec {@link ArchiveFormat#CODEC_NONE} or {@link ArchiveFormat#CODEC_LZ4_FRAME}
 * @param flags chunk flags; 0 in format version 1
 */
public record ChunkRef(long offset, int storedLength, int rawLength, int crc32c, int kind, int codec, int flags) {

  /** Byte offset just past this chunk: where the next chunk header starts. */
  public long end() {
    return offset + ArchiveFormat.CHUNK_HEADER_SIZE + Integer.toUnsignedLong(storedLength);
  }

  /** {"offset", "storedLength", "rawLength", "crc32c" (unsigned), "kind", "codec", "flags"}. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("offset", offset)
        .put("storedLength", storedLength)
        .put("rawLength", rawLength)
        .put("crc32c", Integer.toUnsignedLong(crc32c))
        .put("kind", kind)
        .put("codec", codec)
        .put("flags", flags);
  }

  /** Parses {@link #toJson()} output; a missing or out-of-range field is ARCHIVE_CORRUPT. */
  public static ChunkRef fromJson(JsonObject j) {
    if (j == null) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "chunk ref: expected a json object, found null");
    }
    return new ChunkRef(
        field(j, "offset", Long.MAX_VALUE),
        (int) field(j, "storedLength", Integer.MAX_VALUE),
        (int) field(j, "rawLength", Integer.MAX_VALUE),
        (int) field(j, "crc32c", 0xFFFF_FFFFL),
        (int) field(j, "kind", 0xFF),
        (int) field(j, "codec", 0xFF),
        (int) field(j, "flags", 0xFFFF));
  }

  private static long field(JsonObject j, String name, long max) {
    Object v = j.getValue(name);
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      long l = ((Number) v).longValue();
      if (l >= 0 && l <= max) {
        return l;
      }
    }
    throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "chunk ref field " + name + ": expected an integer in [0, "
        + max + "], found " + (v == null ? "nothing" : v));
  }
}
