package dev.cairn.pitr;

import dev.cairn.archive.Lz4Frames;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.WriteSink;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * A base backup's tar as the repository holds it: "CRB1", then blocks of up to 1 MiB, each a 12-byte header
 * (raw length, frame length, CRC32C of the raw bytes) and an LZ4 frame, then a header of zeros. Written and read
 * as a stream, so a backup never needs its size in memory or on local disk; the SHA-256 of the whole tar is
 * recorded in the base backup's description.
 */
final class BaseStream {
  static final int MAGIC = 0x43524231; // "CRB1"
  static final int BLOCK = 1 << 20;
  private static final int HEADER = 12;

  private BaseStream() {}

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** Compresses what is written into the sink; {@link #finish} ends the stream (the caller commits the sink). */
  static final class Writer extends OutputStream {
    private final WriteSink sink;
    private final byte[] block = new byte[BLOCK];
    private final MessageDigest digest = sha256();
    private int filled;
    private long raw;

    Writer(WriteSink sink) {
      this.sink = sink;
      sink.write(ByteBuffer.allocate(4).putInt(0, MAGIC));
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      while (len > 0) {
        int n = Math.min(len, BLOCK - filled);
        System.arraycopy(b, off, block, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == BLOCK) {
          flushBlock();
        }
      }
    }

    private void flushBlock() {
      if (filled == 0) {
        return;
      }
      byte[] raw = java.util.Arrays.copyOf(block, filled);
      digest.update(raw);
      byte[] frame = Lz4Frames.encode(raw);
      CRC32C crc = new CRC32C();
      crc.update(raw);
      sink.write(ByteBuffer.allocate(HEADER).putInt(0, filled).putInt(4, frame.length).putInt(8, (int) crc.getValue()));
      sink.write(ByteBuffer.wrap(frame));
      this.raw += filled;
      filled = 0;
    }

    /** Writes the end marker; returns the raw length and the SHA-256 (hex) of everything written. */
    Result finish() {
      flushBlock();
      sink.write(ByteBuffer.allocate(HEADER));
      return new Result(raw, sink.position(), HexFormat.of().formatHex(digest.digest()));
    }
  }

  record Result(long rawBytes, long storedBytes, String sha256) {}

  /** Reads the tar back, checking every block's CRC32C and, at the end, the whole tar's SHA-256. */
  static final class Reader extends InputStream {
    private final ReadSource source;
    private final String expectedSha256;
    private final MessageDigest digest = sha256();
    private long pos;
    private byte[] current = new byte[0];
    private int at;
    private boolean ended;

    Reader(ReadSource source, String expectedSha256) {
      this.source = source;
      this.expectedSha256 = expectedSha256;
      ByteBuffer m = ByteBuffer.allocate(4);
      source.read(0, m);
      if (m.getInt(0) != MAGIC) {
        throw corrupt("not a cairn base backup (bad magic)");
      }
      pos = 4;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (len == 0) {
        return 0;
      }
      while (at == current.length) {
        if (ended || !nextBlock()) {
          return -1;
        }
      }
      int n = Math.min(len, current.length - at);
      System.arraycopy(current, at, b, off, n);
      at += n;
      return n;
    }

    private boolean nextBlock() {
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      source.read(pos, h);
      int rawLen = h.getInt(0);
      int frameLen = h.getInt(4);
      int crc = h.getInt(8);
      if (rawLen == 0 && frameLen == 0) {
        ended = true;
        String found = HexFormat.of().formatHex(digest.digest());
        if (!found.equals(expectedSha256)) {
          throw corrupt("SHA-256 of the tar is " + found + ", the backup recorded " + expectedSha256);
        }
        return false;
      }
      if (rawLen < 0 || rawLen > BLOCK || frameLen < 0 || frameLen > BLOCK + BLOCK / 8) {
        throw corrupt("bad block header at offset " + pos);
      }
      ByteBuffer f = ByteBuffer.allocate(frameLen);
      source.read(pos + HEADER, f);
      byte[] raw = Lz4Frames.decode(f.array(), rawLen, source.key() + " block at offset " + pos);
      CRC32C c = new CRC32C();
      c.update(raw);
      if ((int) c.getValue() != crc) {
        throw corrupt("CRC32C mismatch in the block at offset " + pos);
      }
      digest.update(raw);
      pos += HEADER + frameLen;
      current = raw;
      at = 0;
      return true;
    }

    private CairnException corrupt(String what) {
      return new CairnException(ErrorCode.ARCHIVE_CORRUPT, source.key() + ": " + what,
          "the base backup is damaged: restore from another one");
    }
  }
}
