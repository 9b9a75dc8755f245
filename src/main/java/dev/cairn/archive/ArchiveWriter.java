package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.CODEC_LZ4_FRAME;
import static dev.cairn.archive.ArchiveFormat.CODEC_NONE;
import static dev.cairn.archive.ArchiveFormat.FILE_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.KIND_MANIFEST;
import static dev.cairn.archive.ArchiveFormat.MAX_CHUNK_RAW_LENGTH;
import static dev.cairn.archive.ArchiveFormat.TRAILER_SIZE;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.WriteSink;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Writes one archive as a sequential byte stream into a storage {@link WriteSink}: the header on
 * {@link #create}, then chunks from any number of threads at once, then {@link #finish} writes the
 * manifest chunk and the trailer and commits (publishes) the object.
 *
 * <p>Each {@link #writeChunk} call compresses into a pooled scratch buffer in parallel with the others;
 * only the append to the sink is serialised, and a chunk's offset is the sink's position when it is
 * appended. So bytes leave in order (a local file or a multipart upload alike) and chunks are
 * contiguous. A failed write poisons the writer ({@link #finish} refuses).
 *
 * <p>Closing an unfinished writer discards the object, like {@link #abort()}: nothing unfinished ever
 * looks finished.
 */
public final class ArchiveWriter implements AutoCloseable {
  private static final int OPEN = 0;
  private static final int FAILED = 1;
  private static final int FINISHED = 2;
  private static final int CLOSED = 3;
  /** Header, the largest frame of a data chunk, and room for a trailer after a small manifest. */
  private static final int SCRATCH_SIZE =
      CHUNK_HEADER_SIZE + Lz4Frame.maxEncodedLength(MAX_CHUNK_RAW_LENGTH) + TRAILER_SIZE;

  private final WriteSink sink;
  private final String path;
  private final Object appendLock = new Object();
  private final LongAdder written = new LongAdder();
  /** writeChunk holds the read side, finish the write side: finish waits for writes in flight. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ConcurrentLinkedQueue<ByteBuffer> scratchPool = new ConcurrentLinkedQueue<>();
  private volatile int state = OPEN;
  private volatile String failure;

  private ArchiveWriter(WriteSink sink) {
    this.sink = sink;
    this.path = sink.key();
  }

  /** Writes the file header into a new sink; takes ownership of the sink (aborted on failure). */
  public static ArchiveWriter create(WriteSink sink) {
    ArchiveWriter w = new ArchiveWriter(sink);
    try {
      ByteBuffer header = ByteBuffer.allocateDirect(FILE_HEADER_SIZE);
      Layout.putFileHeader(header);
      w.write(header, "the file header");
      return w;
    } catch (RuntimeException e) {
      w.abort();
      throw e;
    }
  }

  /**
   * Compresses {@code raw[off, off + len)} (lz4-frame, or stored as is when that does not shrink it),
   * writes it as a chunk of {@code kind} ({@link ArchiveFormat#KIND_DATA} or
   * {@link ArchiveFormat#KIND_SCHEMA}) and returns its ref. Thread-safe. The caller may reuse
   * {@code raw} once this returns.
   */
  public ChunkRef writeChunk(int kind, byte[] raw, int off, int len) {
    if (kind != ArchiveFormat.KIND_DATA && kind != ArchiveFormat.KIND_SCHEMA) {
      throw new CairnException(ErrorCode.INTERNAL, "archive " + path + ": cannot write a chunk of kind " + kind
          + " (expected 1 data or 2 schema; the manifest is written by finish)");
    }
    if (off < 0 || len < 0 || off > raw.length - len) {
      throw new CairnException(ErrorCode.INTERNAL, "archive " + path + ": chunk range [" + off + ", " + off + "+" + len
          + ") is outside the " + raw.length + "-byte buffer");
    }
    if (len > MAX_CHUNK_RAW_LENGTH) {
      throw new CairnException(ErrorCode.INTERNAL, "archive " + path + ": chunk of " + len
          + " bytes exceeds the limit of " + MAX_CHUNK_RAW_LENGTH + " bytes", "split the data into smaller chunks");
    }
    lock.readLock().lock();
    try {
      checkWritable();
      ByteBuffer scratch = scratchPool.poll();
      if (scratch == null) {
        scratch = ByteBuffer.allocateDirect(SCRATCH_SIZE);
      }
      try {
        ChunkRef encoded = encode(scratch, kind, raw, off, len);
        int total = CHUNK_HEADER_SIZE + encoded.storedLength();
        scratch.clear().limit(total);
        long pos = write(scratch, "a chunk");
        return new ChunkRef(pos, encoded.storedLength(), len, encoded.crc32c(), kind, encoded.codec(), 0);
      } finally {
        scratchPool.offer(scratch);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Bytes written to the file so far by completed writes (header and chunks, then manifest and trailer). */
  public long bytesWritten() {
    return written.sum();
  }

  /**
   * Writes {@code manifestJson} as the manifest chunk (kind 3) and the trailer after it, and commits
   * the sink: the archive is durable and published under its key when this returns (REPO_WRITE when
   * the key exists). Waits for chunk writes in flight; refuses if one failed. Returns the manifest's ref.
   */
  public ChunkRef finish(byte[] manifestJson) {
    if (manifestJson.length > ArchiveFormat.MAX_MANIFEST_RAW_LENGTH) {
      throw new CairnException(ErrorCode.INTERNAL, "archive " + path + ": manifest of " + manifestJson.length
          + " bytes exceeds the limit of " + ArchiveFormat.MAX_MANIFEST_RAW_LENGTH + " bytes");
    }
    lock.writeLock().lock();
    try {
      checkWritable();
      int need = CHUNK_HEADER_SIZE + Lz4Frame.maxEncodedLength(manifestJson.length) + TRAILER_SIZE;
      ByteBuffer buf = need <= SCRATCH_SIZE ? scratchPool.poll() : null;
      if (buf == null) {
        buf = ByteBuffer.allocateDirect(need);
      }
      ChunkRef encoded = encode(buf, KIND_MANIFEST, manifestJson, 0, manifestJson.length);
      long pos = sink.position();
      int chunkLength = CHUNK_HEADER_SIZE + encoded.storedLength();
      Layout.putTrailer(buf, chunkLength, pos, chunkLength, encoded.crc32c());
      buf.clear().limit(chunkLength + TRAILER_SIZE);
      write(buf, "the manifest and trailer");
      try {
        sink.commit();
      } catch (RuntimeException e) {
        state = FAILED;
        throw e;
      }
      state = FINISHED;
      scratchPool.clear();
      return new ChunkRef(pos, encoded.storedLength(), manifestJson.length, encoded.crc32c(), KIND_MANIFEST,
          encoded.codec(), 0);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Discards an unfinished archive (a finished one is published and stays). Never throws. */
  public void abort() {
    int was = state;
    state = was == FINISHED ? FINISHED : CLOSED;
    scratchPool.clear();
    if (was != FINISHED) {
      synchronized (appendLock) {
        sink.abort();
      }
    }
  }

  /** No-op after {@link #finish}; otherwise discards the unfinished archive like {@link #abort()}. */
  @Override
  public void close() {
    if (state != FINISHED && state != CLOSED) {
      abort();
    }
  }

  /**
   * Puts the chunk header and payload into {@code scratch[0..)}: an lz4 frame when it is shorter
   * than the raw bytes, else the raw bytes. The returned ref carries codec, stored length and crc.
   */
  private static ChunkRef encode(ByteBuffer scratch, int kind, byte[] raw, int off, int len) {
    scratch.clear(); // absolute puts are bounded by the limit a previous write left
    int frameLength = Lz4Frame.encode(ByteBuffer.wrap(raw), off, len, scratch, CHUNK_HEADER_SIZE);
    int codec = CODEC_LZ4_FRAME;
    int stored = frameLength;
    if (frameLength >= len) {
      codec = CODEC_NONE;
      stored = len;
      scratch.put(CHUNK_HEADER_SIZE, raw, off, len);
    }
    int crc = Layout.crc32c(scratch, CHUNK_HEADER_SIZE, stored);
    Layout.putChunkHeader(scratch, 0, kind, codec, 0, stored, len, crc);
    return new ChunkRef(0, stored, len, crc, kind, codec, 0);
  }

  private void checkWritable() {
    int s = state;
    if (s == FAILED) {
      throw new CairnException(ErrorCode.REPO_WRITE, "archive " + path + " cannot be written: an earlier write failed ("
          + failure + ")");
    }
    if (s != OPEN) {
      throw new CairnException(ErrorCode.INTERNAL, "archive " + path + " is already "
          + (s == FINISHED ? "finished" : "closed"));
    }
  }

  /** Appends {@code buf} to the sink and returns the offset it starts at. */
  private long write(ByteBuffer buf, String what) {
    int n = buf.remaining();
    synchronized (appendLock) {
      long pos = sink.position();
      try {
        checkWritable();
        sink.write(buf);
        written.add(n);
        return pos;
      } catch (CairnException e) {
        if (state == OPEN) {
          failure = "writing " + what + " at byte offset " + pos + ": " + e.getMessage();
          state = FAILED;
        }
        throw e;
      }
    }
  }
}
