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
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
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

  /**
   * Compresses what is written into the sink; {@link #finish} ends the stream (the caller commits the sink). Blocks
   * are compressed and checksummed in parallel on a pool of its own ({@code cairn-base-lz4}, one thread per core)
   * while one thread digests the tar in order; the caller's thread writes the finished blocks in order, with at
   * most a few blocks per thread in memory. {@link #close} stops the pools (after a failure too).
   */
  static final class Writer extends OutputStream {
    private final WriteSink sink;
    private final MessageDigest digest = sha256();
    private final ExecutorService lz4;
    private final ExecutorService sha = pool("cairn-base-sha", 1);
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final int maxPending;
    private byte[] block = new byte[BLOCK];
    private int filled;
    private long raw;

    private record Pending(Future<?> digested, Future<ByteBuffer> encoded) {
      boolean done() {
        return digested.isDone() && encoded.isDone();
      }
    }

    Writer(WriteSink sink) {
      this.sink = sink;
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
      this.lz4 = pool("cairn-base-lz4", threads);
      this.maxPending = 2 * threads + 2;
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
      byte[] bytes = filled == BLOCK ? block : Arrays.copyOf(block, filled);
      pending.add(new Pending(sha.submit(() -> digest.update(bytes)), lz4.submit(() -> encodeBlock(bytes))));
      raw += filled;
      filled = 0;
      block = new byte[BLOCK];
      while (!pending.isEmpty() && (pending.size() > maxPending || pending.peek().done())) {
        writeHead();
      }
    }

    private static ByteBuffer encodeBlock(byte[] bytes) {
      byte[] frame = Lz4Frames.encode(bytes);
      CRC32C crc = new CRC32C();
      crc.update(bytes);
      return ByteBuffer.allocate(HEADER + frame.length).putInt(0, bytes.length).putInt(4, frame.length)
          .putInt(8, (int) crc.getValue()).put(HEADER, frame);
    }

    private void writeHead() {
      Pending p = pending.poll();
      sink.write(await(p.encoded()));
      await(p.digested());
    }

    /** Writes the end marker; returns the raw length and the SHA-256 (hex) of everything written. */
    Result finish() {
      flushBlock();
      while (!pending.isEmpty()) {
        writeHead();
      }
      sink.write(ByteBuffer.allocate(HEADER));
      return new Result(raw, sink.position(), HexFormat.of().formatHex(digest.digest()));
    }

    @Override
    public void close() {
      lz4.shutdownNow();
      sha.shutdownNow();
    }
  }

  static ExecutorService pool(String name, int threads) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** The task's result; its failure as it was thrown (a CairnException stays one). */
  static <T> T await(Future<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "interrupted");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  record Result(long rawBytes, long storedBytes, String sha256) {}

  /**
   * Reads the tar back, checking every block's CRC32C and, at the end, the whole tar's SHA-256. The blocks ahead
   * are decompressed and checked in parallel ({@code cairn-base-unlz4}, one thread per core); the caller's thread
   * reads the repository and digests in order. {@link #close} stops the pool.
   */
  static final class Reader extends InputStream {
    private final ReadSource source;
    private final String expectedSha256;
    private final MessageDigest digest = sha256();
    private final ExecutorService unlz4;
    private final ArrayDeque<Future<byte[]>> ahead = new ArrayDeque<>();
    private final int maxAhead;
    private long pos;
    private boolean lastRead;
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
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
      this.unlz4 = pool("cairn-base-unlz4", threads);
      this.maxAhead = 2 * threads + 2;
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

    /** Whole blocks at a time (tar's pipe gets 1 MiB writes, not 8 KiB ones). */
    @Override
    public long transferTo(OutputStream out) throws java.io.IOException {
      long n = 0;
      while (at < current.length || (!ended && nextBlock())) {
        out.write(current, at, current.length - at);
        n += current.length - at;
        at = current.length;
      }
      return n;
    }

    @Override
    public void close() {
      unlz4.shutdownNow();
    }

    private boolean nextBlock() {
      while (!lastRead && ahead.size() < maxAhead) {
        readAhead();
      }
      if (ahead.isEmpty()) {
        ended = true;
        String found = HexFormat.of().formatHex(digest.digest());
        if (!found.equals(expectedSha256)) {
          throw corrupt("SHA-256 of the tar is " + found + ", the backup recorded " + expectedSha256);
        }
        return false;
      }
      current = await(ahead.poll());
      digest.update(current);
      at = 0;
      return true;
    }

    /** Reads the next block's header and frame, and hands its decompression and check to the pool. */
    private void readAhead() {
      ByteBuffer h = ByteBuffer.allocate(HEADER);
      source.read(pos, h);
      int rawLen = h.getInt(0);
      int frameLen = h.getInt(4);
      int crc = h.getInt(8);
      if (rawLen == 0 && frameLen == 0) {
        lastRead = true;
        return;
      }
      if (rawLen < 0 || rawLen > BLOCK || frameLen < 0 || frameLen > BLOCK + BLOCK / 8) {
        throw corrupt("bad block header at offset " + pos);
      }
      ByteBuffer f = ByteBuffer.allocate(frameLen);
      source.read(pos + HEADER, f);
      long offset = pos;
      ahead.add(unlz4.submit(() -> {
        byte[] raw = Lz4Frames.decode(f.array(), rawLen, source.key() + " block at offset " + offset);
        CRC32C c = new CRC32C();
        c.update(raw);
        if ((int) c.getValue() != crc) {
          throw corrupt("CRC32C mismatch in the block at offset " + offset);
        }
        return raw;
      }));
      pos += HEADER + frameLen;
    }

    private CairnException corrupt(String what) {
      return new CairnException(ErrorCode.ARCHIVE_CORRUPT, source.key() + ": " + what,
          "the base backup is damaged: restore from another one");
    }
  }
}
