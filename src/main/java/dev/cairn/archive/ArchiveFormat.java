package dev.cairn.archive;

/**
 * Constants of the Cairn archive format, version 1. The byte-level specification is
 * {@code docs/archive-format.md}; every number here appears there.
 */
public final class ArchiveFormat {
  /** The only format version this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  /** "CAIRNARC", u16 version, u16 flags, u32 crc32c: at byte offset 0. */
  public static final int FILE_HEADER_SIZE = 16;
  /** "CHNK", u8 kind, u8 codec, u16 flags, u32 stored length, u32 raw length, u32 crc32c. */
  public static final int CHUNK_HEADER_SIZE = 20;
  /** Fixed-size trailer at the end of the file, ending in "CAIRNEND". */
  public static final int TRAILER_SIZE = 36;
  /** Smallest valid archive: header, an empty uncompressed manifest chunk, trailer. */
  public static final int MIN_ARCHIVE_SIZE = FILE_HEADER_SIZE + CHUNK_HEADER_SIZE + TRAILER_SIZE;

  /** Chunk kind: table data (COPY output). */
  public static final int KIND_DATA = 1;
  /** Chunk kind: schema (pg_dump output). */
  public static final int KIND_SCHEMA = 2;
  /** Chunk kind: the manifest, written once by {@link ArchiveWriter#finish(byte[])}. */
  public static final int KIND_MANIFEST = 3;

  /** Payload stored as is. */
  public static final int CODEC_NONE = 0;
  /** Payload is one standard LZ4 frame (independent blocks). */
  public static final int CODEC_LZ4_FRAME = 1;

  /**
   * Chunk flag bit 0, reserved for per-chunk encryption. Format version 1 readers reject a chunk
   * that has it (or any other flag bit) set.
   */
  public static final int CHUNK_FLAG_ENCRYPTED = 1;

  /** Largest raw (uncompressed) length of a data or schema chunk: 8 MiB. */
  public static final int MAX_CHUNK_RAW_LENGTH = 8 << 20;
  /** Largest raw length of the manifest chunk: 256 MiB. */
  public static final int MAX_MANIFEST_RAW_LENGTH = 256 << 20;

  private ArchiveFormat() {}

  /** Largest raw length allowed for a chunk of this kind. */
  static int maxRawLength(int kind) {
    return kind == KIND_MANIFEST ? MAX_MANIFEST_RAW_LENGTH : MAX_CHUNK_RAW_LENGTH;
  }

  static boolean knownKind(int kind) {
    return kind == KIND_DATA || kind == KIND_SCHEMA || kind == KIND_MANIFEST;
  }

  static boolean knownCodec(int codec) {
    return codec == CODEC_NONE || codec == CODEC_LZ4_FRAME;
  }
}
