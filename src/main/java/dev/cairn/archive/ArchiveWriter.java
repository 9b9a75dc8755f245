package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.CODEC_NONE;
import static dev.cairn.archive.ArchiveFormat.FILE_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.KIND_MANIFEST;
import static dev.cairn.archive.ArchiveFormat.MAX_CHUNK_RAW_LENGTH;
import static dev.cairn.archive.ArchiveFormat.TRAILER_SIZE;

import dev.cairn.crypt.KeyBlock;
import dev.cairn.crypt.Keys;
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
 * <p>Each {@link #writeChunk} call encodes (the {@link ChunkCodec} stages: lz4, encryption when the
 * archive is encrypted, crc32c) into a pooled scratch buffer in parallel with the others; the writer
 * itself only places the encoded bytes: the append to the sink is serialised, and a chunk's offset is the sink's position when it is
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
  /** Header, the largest encoding of a data chunk, and room for a trailer after a small manifest. */
  private static final int SCRATCH_SIZE = ChunkCodec.maxEncodedLength(MAX_CHUNK_RAW_LENGTH) + TRAILER_SIZE;

  private final WriteSink sink;
  private final String path;
  private final Object appendLock = new Object();
  private final LongAdder written = new LongAdder();
  /** writeChunk holds the read side, finish the write side: finish waits for writes in flight. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ConcurrentLinkedQueue<ByteBuffer> scratchPool = new ConcurrentLinkedQueue<>();
  private final ChunkCodec codec;
  /** The key block written before the trailer; null when not encrypted. */
  private final KeyBlock keyBlock;
  private final int archiveFlags;
  private volatile int state = OPEN;
  private volatile String failure;

  private ArchiveWriter(WriteSink sink, ChunkCodec codec, KeyBlock keyBlock) {
    this.sink = sink;
    this.path = sink.key();
    this.codec = codec;
    this.keyBlock = keyBlock;
    this.archiveFlags = keyBlock == null ? 0 : ArchiveFormat.ARCHIVE_FLAG_ENCRYPTED;
  }

  /** Writes the file header of an unencrypted archive into a new sink; see {@link #create(WriteSink, Keys)}. */
  public static ArchiveWriter create(WriteSink sink) {
    return create(sink, Keys.NONE);
  }

  /**
   * Writes the file header into a new sink; takes ownership of the sink (aborted on failure). When
   * {@code keys} has slots the archive is encrypted for them, under a new data key.
   */
  public static ArchiveWriter create(WriteSink sink, Keys keys) {
    ArchiveWriter w;
    ByteBuffer header = ByteBuffer.allocateDirect(FILE_HEADER_SIZE);
    try {
      Layout.putFileHeader(header, keys.encrypts() ? ArchiveFormat.ARCHIVE_FLAG_ENCRYPTED : 0);
      if (keys.encrypts()) {
        KeyBlock.Unlocked u = KeyBlock.create(keys, headerBytes(header));
        w = new ArchiveWriter(sink, new ChunkCodec(u.cipher(), u.block().archiveId()), u.block());
      } else {
        w = new ArchiveWriter(sink, ChunkCodec.PLAIN, null);
      }
    } catch (RuntimeException e) {
      sink.abort();
      throw e;
    }
    try {
      w.write(header, "the file header");
      return w;
    } catch (RuntimeException e) {
      w.abort();
      throw e;
    }
  }

  /** The bytes 0–11 of a file header: what the key block's MAC covers. */
  static byte[] headerBytes(ByteBuffer header) {
    byte[] b = new byte[12];
    header.get(0, b);
    return b;
  }

  /** Whether chunks are encrypted (then every stream should end with a chunk marked last). */
  public boolean encrypted() {
    return codec.encrypted();
  }

  /** {@link #writeChunk(int, byte[], int, int, ChunkAad)} bound to nothing: for unencrypted archives. */
  public ChunkRef writeChunk(int kind, byte[] raw, int off, int len) {
    return writeChunk(kind, raw, off, len, ChunkAad.NONE);
  }

  /**
   * Compresses {@code raw[off, off + len)} (lz4-frame, or stored as is when that does not shrink it),
   * encrypts it when the archive is encrypted (binding {@code aad}), writes it as a chunk of
   * {@code kind} ({@link ArchiveFormat#KIND_DATA} or {@link ArchiveFormat#KIND_SCHEMA}) and returns
   * its ref. Thread-safe. The caller may reuse {@code raw} once this returns.
   */
  public ChunkRef writeChunk(int kind, byte[] raw, int off, int len, ChunkAad aad) {
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
        ChunkRef encoded = codec.encode(scratch, kind, raw, off, len, aad);
        return place(scratch, encoded);
      } finally {
        scratchPool.offer(scratch);
      }
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Appends an encoded chunk ({@code buf[0..)}: header and payload) and returns its ref at the offset it got. */
  private ChunkRef place(ByteBuffer buf, ChunkRef encoded) {
    buf.clear().limit(CHUNK_HEADER_SIZE + encoded.storedLength());
    long pos = write(buf, "a chunk");
    return new ChunkRef(pos, encoded.storedLength(), encoded.rawLength(), encoded.crc32c(), encoded.kind(),
        encoded.codec(), encoded.flags());
  }

  /** Bytes written to the file so far by completed writes (header and chunks, then manifest and trailer). */
  public long bytesWritten() {
    return written.sum();
  }

  /**
   * Writes {@code manifestJson} as the manifest chunk (kind 3), the key block (kind 4) when encrypted,
   * and the trailer, and commits
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
      byte[] keys = keyBlock == null ? null : keyBlock.payload();
      int keysLength = keys == null ? 0 : CHUNK_HEADER_SIZE + keys.length;
      int need = ChunkCodec.maxEncodedLength(manifestJson.length) + keysLength + TRAILER_SIZE;
      ByteBuffer buf = ByteBuffer.allocateDirect(need);
      ChunkRef encoded = codec.encode(buf, KIND_MANIFEST, manifestJson, 0, manifestJson.length,
          ChunkAad.MANIFEST);
      long pos = sink.position();
      int chunkLength = CHUNK_HEADER_SIZE + encoded.storedLength();
      if (keys != null) {
        putKeysChunk(buf, chunkLength, keys);
      }
      Layout.putTrailer(buf, chunkLength + keysLength, pos, chunkLength, encoded.crc32c(), archiveFlags);
      buf.clear().limit(chunkLength + keysLength + TRAILER_SIZE);
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
          encoded.codec(), encoded.flags());
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

  /** The key block chunk (kind 4, codec none, never encrypted) at {@code buf[at..)}. */
  static void putKeysChunk(ByteBuffer buf, int at, byte[] keys) {
    buf.put(at + CHUNK_HEADER_SIZE, keys);
    int crc = Layout.crc32c(buf, at + CHUNK_HEADER_SIZE, keys.length);
    Layout.putChunkHeader(buf, at, ArchiveFormat.KIND_KEYS, CODEC_NONE, 0, keys.length, keys.length, crc);
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
