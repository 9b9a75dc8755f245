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

  /** Room {@link #encode} needs in {@code out} for {@code len} raw bytes (in {@code work}: the lz4 part). */
  static int maxEncodedLength(int len) {
    return CHUNK_HEADER_SIZE + Lz4Frame.maxEncodedLength(len) + ChunkCipher.OVERHEAD;
  }

  /**
   * Encodes {@code raw[off, off + len)} as a chunk of {@code kind} into {@code out[0..)}, header first;
   * {@code work} holds the compressed bytes on their way to the cipher (unused when not encrypted).
   * The returned ref (offset 0) carries codec, flags, stored length and crc.
   */
  ChunkRef encode(ByteBuffer out, ByteBuffer work, int kind, byte[] raw, int off, int len, ChunkAad aad) {
    out.clear(); // absolute puts are bounded by the limit a previous write left
    int codec;
    int stored;
    int flags = 0;
    if (cipher == null) {
      int frameLength = Lz4Frame.encode(ByteBuffer.wrap(raw), off, len, out, CHUNK_HEADER_SIZE);
      codec = frameLength < len ? CODEC_LZ4_FRAME : CODEC_NONE;
      stored = frameLength < len ? frameLength : len;
      if (codec == CODEC_NONE) {
        out.put(CHUNK_HEADER_SIZE, raw, off, len);
      }
    } else {
      work.clear();
      int frameLength = Lz4Frame.encode(ByteBuffer.wrap(raw), off, len, work, 0);
      codec = frameLength < len ? CODEC_LZ4_FRAME : CODEC_NONE;
      ByteBuffer plain = codec == CODEC_LZ4_FRAME ? work.duplicate().clear().limit(frameLength)
          : ByteBuffer.wrap(raw, off, len);
      stored = cipher.seal(kind == KIND_MANIFEST, ad(kind, codec, len, aad), plain, out, CHUNK_HEADER_SIZE);
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
    checkCrc(buf, header, context);
    int stored = header.storedLength();
    byte[] out = new byte[header.rawLength()];
    if ((header.flags() & CHUNK_FLAG_ENCRYPTED) == 0) {
      if (header.codec() == CODEC_NONE) {
        buf.get(CHUNK_HEADER_SIZE, out, 0, stored);
      } else {
        Lz4Frame.decode(buf, CHUNK_HEADER_SIZE, stored, out, context);
      }
      return out;
    }
    ByteBuffer sealed = buf.duplicate().clear().position(CHUNK_HEADER_SIZE).limit(CHUNK_HEADER_SIZE + stored);
    byte[] ad = ad(header.kind(), header.codec(), header.rawLength(), aad);
    if (header.codec() == CODEC_NONE) {
      cipher.open(header.kind() == KIND_MANIFEST, ad, sealed, ByteBuffer.wrap(out), context);
    } else {
      byte[] frame = new byte[stored - ChunkCipher.OVERHEAD];
      cipher.open(header.kind() == KIND_MANIFEST, ad, sealed, ByteBuffer.wrap(frame), context);
      Lz4Frame.decode(ByteBuffer.wrap(frame), 0, frame.length, out, context);
    }
    return out;
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
