package dev.cairn.archive;

/**
 * Constants of the Cairn archive format, version 2 (which reads version 1 too). The byte-level specification is
 * {@code docs/archive-format.md}; every number here appears there.
 */
public final class ArchiveFormat {
  /** The format version this code writes. */
  public static final int FORMAT_VERSION = 2;
  /** The oldest format version this code reads. */
  public static final int OLDEST_FORMAT_VERSION = 1;
  /** Archive flag bit 0 (version 2): chunks and manifest are encrypted; a key block precedes the trailer. */
  public static final int ARCHIVE_FLAG_ENCRYPTED = 1;

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

  /** Chunk kind (version 2, encrypted archives): the plaintext key block, between manifest and trailer. */
  public static final int KIND_KEYS = 4;

  /** Payload stored as is. */
  public static final int CODEC_NONE = 0;
  /** Payload is one standard LZ4 frame (independent blocks). */
  public static final int CODEC_LZ4_FRAME = 1;

  /**
   * Chunk flag bit 0 (version 2): the payload is AES-256-GCM sealed (nonce, ciphertext, tag). Format
   * version 1 readers reject a chunk that has it (or any other flag bit) set.
   */
  public static final int CHUNK_FLAG_ENCRYPTED = 1;

  /** Largest raw (uncompressed) length of a data or schema chunk: 8 MiB. */
  public static final int MAX_CHUNK_RAW_LENGTH = 8 << 20;
  /** Largest raw length of the manifest chunk: 256 MiB. */
  public static final int MAX_MANIFEST_RAW_LENGTH = 256 << 20;
  /** Largest key block: 1 MiB (thousands of slots). */
  public static final int MAX_KEYS_RAW_LENGTH = 1 << 20;

  private ArchiveFormat() {}

  /** Largest raw length allowed for a chunk of this kind. */
  static int maxRawLength(int kind) {
    return kind == KIND_MANIFEST ? MAX_MANIFEST_RAW_LENGTH : kind == KIND_KEYS ? MAX_KEYS_RAW_LENGTH
        : MAX_CHUNK_RAW_LENGTH;
  }

  static boolean knownKind(int kind) {
    return kind == KIND_DATA || kind == KIND_SCHEMA || kind == KIND_MANIFEST || kind == KIND_KEYS;
  }

  static boolean knownCodec(int codec) {
    return codec == CODEC_NONE || codec == CODEC_LZ4_FRAME;
  }
}
