package dev.cairn.archive;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Standard LZ4 frames (lz4_Frame_format.md, version 01) on top of lz4-java's block API, so a chunk
 * payload cut out of an archive decompresses with the {@code lz4} command line tool.
 *
 * <p>The encoder writes: magic, FLG 0x68 (version 01, independent blocks, content size present, no
 * checksums: the chunk's CRC32C covers integrity), BD 0x70 (4 MiB blocks), the content size, the
 * header checksum, blocks (stored uncompressed, high bit set, when compression does not shrink
 * them) and the EndMark. The decoder accepts any version-01 frame with independent blocks, with or
 * without block and content checksums (which it verifies), and nothing else.
 */
final class Lz4Frame {
  static final int MAGIC = 0x184D2204;
  static final int LEGACY_MAGIC = 0x184C2102;
  static final int BLOCK_MAX = 4 << 20;
  /** Magic, FLG, BD, 8-byte content size, header checksum. */
  static final int ENCODED_HEADER_LENGTH = 15;

  static final int FLG_VERSION_MASK = 0xC0;
  static final int FLG_VERSION_01 = 0x40;
  static final int FLG_BLOCK_INDEPENDENCE = 0x20;
  static final int FLG_BLOCK_CHECKSUM = 0x10;
  static final int FLG_CONTENT_SIZE = 0x08;
  static final int FLG_CONTENT_CHECKSUM = 0x04;
  static final int FLG_RESERVED = 0x02;
  static final int FLG_DICT_ID = 0x01;
  static final int UNCOMPRESSED_BIT = 0x80000000;

  private static final int ENCODED_FLG = FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE | FLG_CONTENT_SIZE;
  private static final int ENCODED_BD = 7 << 4;

  private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
  private static final LZ4SafeDecompressor DECOMPRESSOR =
      LZ4Factory.fastestInstance().safeDecompressor();
  private static final XXHash32 XXH32 = XXHashFactory.fastestInstance().hash32();

  private Lz4Frame() {}

  /** Largest frame {@link #encode} can produce for {@code len} raw bytes (its scratch need). */
  static int maxEncodedLength(int len) {
    long total = ENCODED_HEADER_LENGTH + 4L;
    for (int i = 0; i < len; i += BLOCK_MAX) {
      total += 4L + COMPRESSOR.maxCompressedLength(Math.min(BLOCK_MAX, len - i));
    }
    if (total > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("lz4 frame for " + len + " bytes exceeds 2 GiB");
    }
    return (int) total;
  }

  /**
   * Encodes {@code src[srcOff, srcOff + len)} as one frame at {@code dst[dstOff]}; {@code dst} must
   * have {@link #maxEncodedLength(int)} bytes free from there. Returns the frame length.
   */
  static int encode(ByteBuffer src, int srcOff, int len, ByteBuffer dst, int dstOff) {
    ByteBuffer le = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    le.putInt(dstOff, MAGIC);
    le.put(dstOff + 4, (byte) ENCODED_FLG);
    le.put(dstOff + 5, (byte) ENCODED_BD);
    le.putLong(dstOff + 6, len);
    le.put(dstOff + 14, headerChecksum(le, dstOff + 4, 10));
    int p = dstOff + ENCODED_HEADER_LENGTH;
    for (int i = 0; i < len; i += BLOCK_MAX) {
      int n = Math.min(BLOCK_MAX, len - i);
      int c = COMPRESSOR.compress(src, srcOff + i, n, dst, p + 4, COMPRESSOR.maxCompressedLength(n));
      if (c < n) {
        le.putInt(p, c);
        p += 4 + c;
      } else {
        le.putInt(p, n | UNCOMPRESSED_BIT);
        dst.put(p + 4, src, srcOff + i, n);
        p += 4 + n;
      }
    }
    le.putInt(p, 0);
    return p + 4 - dstOff;
  }

  /** Convenience for tests and tools: the frame of {@code raw} as a new array. */
  static byte[] encode(byte[] raw) {
    ByteBuffer dst = ByteBuffer.allocate(maxEncodedLength(raw.length));
    int n = encode(ByteBuffer.wrap(raw), 0, raw.length, dst, 0);
    byte[] out = new byte[n];
    dst.get(0, out);
    return out;
  }

  /** Convenience for tests and tools: decodes a whole frame that must yield {@code rawLength} bytes. */
  static byte[] decode(byte[] frame, int rawLength, String context) {
    byte[] out = new byte[rawLength];
    decode(ByteBuffer.wrap(frame), 0, frame.length, out, context);
    return out;
  }

  /**
   * Decodes the frame in {@code src[srcOff, srcOff + srcLen)}, which must be exactly one frame and
   * yield exactly {@code out.length} bytes, into {@code out}. Offsets in error messages are relative
   * to {@code srcOff} ("payload offset"); {@code context} prefixes them.
   */
  static void decode(ByteBuffer src, int srcOff, int srcLen, byte[] out, String context) {
    decode(src, srcOff, srcLen, out, out.length, context);
  }

  /** {@link #decode(ByteBuffer, int, int, byte[], String)} yielding exactly {@code rawLength} bytes into a prefix of {@code out}. */
  static void decode(ByteBuffer src, int srcOff, int srcLen, byte[] out, int rawLength, String context) {
    ByteBuffer le = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer dst = ByteBuffer.wrap(out);
    if (srcLen < 7) {
      throw corrupt(context, "lz4 frame is truncated: " + srcLen + " bytes, shorter than a frame header");
    }
    int magic = le.getInt(srcOff);
    if (magic != MAGIC) {
      String what = magic == LEGACY_MAGIC ? " (legacy lz4 format, not supported)"
          : (magic & 0xFFFFFFF0) == 0x184D2A50 ? " (skippable frame, not supported)" : "";
      throw corrupt(context, String.format(
          "bad lz4 frame magic at payload offset 0 (expected 0x%08x, found 0x%08x)%s", MAGIC, magic, what));
    }
    int flg = le.get(srcOff + 4) & 0xFF;
    int bd = le.get(srcOff + 5) & 0xFF;
    if ((flg & FLG_VERSION_MASK) != FLG_VERSION_01) {
      throw corrupt(context, String.format(
          "unsupported lz4 frame version %d in FLG byte 0x%02x at payload offset 4 (expected 1)", flg >>> 6, flg));
    }
    if ((flg & FLG_RESERVED) != 0 || (bd & 0x8F) != 0) {
      throw corrupt(context, String.format(
          "lz4 frame descriptor has reserved bits set (FLG 0x%02x, BD 0x%02x) at payload offset 4", flg, bd));
    }
    if ((flg & FLG_BLOCK_INDEPENDENCE) == 0) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context
          + ": lz4 frame uses dependent (linked) blocks, which cairn does not support",
          "cairn writes and reads only frames with independent blocks (lz4 -BI)");
    }
    if ((flg & FLG_DICT_ID) != 0) {
      throw corrupt(context, "lz4 frame needs a dictionary (dictionary id flag set), which cairn does not support");
    }
    int blockMaxId = (bd >>> 4) & 0x7;
    if (blockMaxId < 4) {
      throw corrupt(context, String.format(
          "lz4 frame block maximum size id %d in BD byte at payload offset 5 is invalid (expected 4 to 7)", blockMaxId));
    }
    int blockMax = 1 << (2 * blockMaxId + 8);
    int descLen = 2 + ((flg & FLG_CONTENT_SIZE) != 0 ? 8 : 0) + ((flg & FLG_DICT_ID) != 0 ? 4 : 0);
    if (srcLen < 4 + descLen + 1) {
      throw corrupt(context, "lz4 frame is truncated: " + srcLen + " bytes, shorter than its frame header");
    }
    if ((flg & FLG_CONTENT_SIZE) != 0) {
      long contentSize = le.getLong(srcOff + 6);
      if (contentSize != rawLength) {
        throw corrupt(context, "lz4 frame content size at payload offset 6 is " + Long.toUnsignedString(contentSize)
            + ", expected " + rawLength);
      }
    }
    int hc = le.get(srcOff + 4 + descLen) & 0xFF;
    int expectedHc = headerChecksum(le, srcOff + 4, descLen) & 0xFF;
    if (hc != expectedHc) {
      throw corrupt(context, String.format("lz4 frame header checksum mismatch at payload offset %d (expected 0x%02x, found 0x%02x)",
          4 + descLen, expectedHc, hc));
    }
    boolean blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
    int p = 4 + descLen + 1; // relative to srcOff
    int outPos = 0;
    while (true) {
      if (srcLen - p < 4) {
        throw corrupt(context, "lz4 frame is truncated at payload offset " + p + ": expected a block size or EndMark");
      }
      int word = le.getInt(srcOff + p);
      if (word == 0) {
        p += 4;
        break;
      }
      boolean stored = (word & UNCOMPRESSED_BIT) != 0;
      int size = word & ~UNCOMPRESSED_BIT;
      if (size > blockMax) {
        throw corrupt(context, "lz4 frame block at payload offset " + p + " declares " + size
            + " bytes, more than the frame's block maximum of " + blockMax);
      }
      int dataAt = p + 4;
      long blockEnd = (long) dataAt + size + (blockChecksum ? 4 : 0);
      if (blockEnd > srcLen) {
        throw corrupt(context, "lz4 frame is truncated: block at payload offset " + p + " needs "
            + (blockEnd - p) + " bytes, only " + (srcLen - p) + " remain");
      }
      if (blockChecksum) {
        int expected = XXH32.hash(src, srcOff + dataAt, size, 0);
        int found = le.getInt(srcOff + dataAt + size);
        if (expected != found) {
          throw corrupt(context, String.format(
              "lz4 frame block at payload offset %d: block checksum mismatch (expected 0x%08x, found 0x%08x)", p, expected, found));
        }
      }
      int room = Math.min(blockMax, rawLength - outPos);
      if (stored) {
        if (size > room) {
          throw corrupt(context, "lz4 frame block at payload offset " + p
              + " decompresses past the expected raw length " + rawLength);
        }
        src.get(srcOff + dataAt, out, outPos, size);
        outPos += size;
      } else {
        int n;
        try {
          n = DECOMPRESSOR.decompress(src, srcOff + dataAt, size, dst, outPos, room);
        } catch (LZ4Exception | IndexOutOfBoundsException e) {
          throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": lz4 frame block at payload offset " + p
              + " is corrupt (or decompresses past the expected raw length " + rawLength + ")", null, null, e);
        }
        outPos += n;
      }
      p = (int) blockEnd;
    }
    if ((flg & FLG_CONTENT_CHECKSUM) != 0) {
      if (srcLen - p < 4) {
        throw corrupt(context, "lz4 frame is truncated at payload offset " + p + ": expected the content checksum");
      }
      int expected = XXH32.hash(dst, 0, outPos, 0);
      int found = le.getInt(srcOff + p);
      if (expected != found) {
        throw corrupt(context, String.format(
            "lz4 frame content checksum mismatch at payload offset %d (expected 0x%08x, found 0x%08x)", p, expected, found));
      }
      p += 4;
    }
    if (p != srcLen) {
      throw corrupt(context, (srcLen - p) + " unexpected bytes after the lz4 frame end at payload offset " + p);
    }
    if (outPos != rawLength) {
      throw corrupt(context, "lz4 frame decompresses to " + outPos + " bytes, expected " + rawLength);
    }
  }

  private static byte headerChecksum(ByteBuffer buf, int off, int len) {
    return (byte) ((XXH32.hash(buf, off, len, 0) >>> 8) & 0xFF);
  }

  private static CairnException corrupt(String context, String what) {
    return new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": " + what);
  }
}
