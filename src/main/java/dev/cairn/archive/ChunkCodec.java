package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.CHUNK_FLAG_ENCRYPTED;
import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.CODEC_LZ4_FRAME;
import static dev.cairn.archive.ArchiveFormat.CODEC_NONE;
import static dev.cairn.archive.ArchiveFormat.KIND_MANIFEST;

import dev.cairn.crypt.ChunkCipher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The chunk stages between raw bytes and a placed chunk: LZ4 (kept only when it shrinks the chunk), then
 * AES-256-GCM when the archive is encrypted, then the CRC32C of the stored bytes and the chunk header;
 * and the reverse on read. (The row digest, the first stage, runs before it in the compressor verticle.)
 * Stateless apart from the archive's cipher: one codec per archive, used from many threads.
 */
final class ChunkCodec {
  static final ChunkCodec PLAIN = new ChunkCodec(null, null);

  private final ChunkCipher cipher;
  private final byte[] archiveId;

  ChunkCodec(ChunkCipher cipher, byte[] archiveId) {
    this.cipher = cipher;
    this.archiveId = archiveId;
  }

  boolean encrypted() {
    return cipher != null;
  }

  /** Room {@link #encode} needs in {@code out} for {@code len} raw bytes. */
  static int maxEncodedLength(int len) {
    return CHUNK_HEADER_SIZE + Lz4Frame.maxEncodedLength(len) + ChunkCipher.OVERHEAD;
  }

  /**
   * Encodes {@code raw[off, off + len)} as a chunk of {@code kind} into {@code out[0..)}, header first.
   * In an encrypted archive the frame (or the raw bytes, when that does not shrink them) goes after room
   * for the nonce and is sealed there in place, so no buffer of a chunk's size is needed besides
   * {@code out}. The returned ref (offset 0) carries codec, flags, stored length and crc.
   */
  ChunkRef encode(ByteBuffer out, int kind, byte[] raw, int off, int len, ChunkAad aad) {
    out.clear(); // absolute puts are bounded by the limit a previous write left
    int at = CHUNK_HEADER_SIZE + (cipher == null ? 0 : ChunkCipher.NONCE_LENGTH);
    int frameLength = Lz4Frame.encode(ByteBuffer.wrap(raw), off, len, out, at);
    int codec = frameLength < len ? CODEC_LZ4_FRAME : CODEC_NONE;
    int stored = frameLength < len ? frameLength : len;
    if (codec == CODEC_NONE) {
      out.put(at, raw, off, len);
    }
    int flags = 0;
    if (cipher != null) {
      stored = cipher.seal(kind == KIND_MANIFEST, ad(kind, codec, len, aad), out, CHUNK_HEADER_SIZE, stored);
      flags = CHUNK_FLAG_ENCRYPTED;
    }
    int crc = Layout.crc32c(out, CHUNK_HEADER_SIZE, stored);
    Layout.putChunkHeader(out, 0, kind, codec, flags, stored, len, crc);
    return new ChunkRef(0, stored, len, crc, kind, codec, flags);
  }

  /**
   * Checks the payload after the header in {@code buf} against the header's crc, then opens and
   * decompresses it. An encrypted chunk needs this codec to have the archive's cipher.
   */
  byte[] decode(ByteBuffer buf, ChunkRef header, ChunkAad aad, String context) {
    byte[] out = new byte[header.rawLength()];
    decode(buf, header, aad, context, out);
    return out;
  }

  /** {@link #decode(ByteBuffer, ChunkRef, ChunkAad, String)} into a prefix of {@code out}, at least the raw length long. */
  void decode(ByteBuffer buf, ChunkRef header, ChunkAad aad, String context, byte[] out) {
    checkCrc(buf, header, context);
    int stored = header.storedLength();
    int raw = header.rawLength();
    if ((header.flags() & CHUNK_FLAG_ENCRYPTED) == 0) {
      if (header.codec() == CODEC_NONE) {
        buf.get(CHUNK_HEADER_SIZE, out, 0, stored);
      } else {
        Lz4Frame.decode(buf, CHUNK_HEADER_SIZE, stored, out, raw, context);
      }
      return;
    }
    byte[] sealed = new byte[stored]; // on the heap for GCM (see ChunkCipher); a compressed one opens in place
    buf.get(CHUNK_HEADER_SIZE, sealed);
    byte[] ad = ad(header.kind(), header.codec(), header.rawLength(), aad);
    boolean manifest = header.kind() == KIND_MANIFEST;
    if (header.codec() == CODEC_NONE) {
      cipher.open(manifest, ad, sealed, 0, stored, out, 0, context);
    } else {
      int n = cipher.open(manifest, ad, sealed, 0, stored, sealed, ChunkCipher.NONCE_LENGTH, context);
      Lz4Frame.decode(ByteBuffer.wrap(sealed), ChunkCipher.NONCE_LENGTH, n, out, raw, context);
    }
  }

  /** The storage-level check: the stored payload after the header in {@code buf} matches its CRC32C. */
  static void checkCrc(ByteBuffer buf, ChunkRef header, String context) {
    int crc = Layout.crc32c(buf, CHUNK_HEADER_SIZE, header.storedLength());
    if (crc != header.crc32c()) {
      throw Layout.corrupt(context + ": crc32c mismatch (expected " + Layout.hex(header.crc32c()) + ", found "
          + Layout.hex(crc) + ")");
    }
  }

  /** Associated data: archive id, kind, codec, raw length, index, last flag, stream. */
  private byte[] ad(int kind, int codec, int rawLength, ChunkAad aad) {
    byte[] stream = aad.stream().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(archiveId.length + 11 + stream.length).put(archiveId).put((byte) kind)
        .put((byte) codec).putInt(rawLength).putInt(aad.index()).put((byte) (aad.last() ? 1 : 0)).put(stream).array();
  }
}
