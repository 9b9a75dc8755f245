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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Writes one archive file: the header on {@link #create}, then chunks from any number of threads at
 * once, then {@link #finish} writes the manifest chunk and the trailer and syncs the file.
 *
 * <p>Each {@link #writeChunk} call compresses into a pooled scratch buffer, then reserves its byte
 * range with one atomic add and writes there with positional writes, so workers never wait on each
 * other. Chunks are contiguous: the range is reserved only once the stored size is known. A failed
 * write poisons the writer ({@link #finish} refuses), since it leaves a hole.
 *
 * <p>Closing an unfinished writer discards the file, like {@link #abort()}: nothing unfinished ever
 * looks finished. The caller publishes the finished file (rename, directory fsync).
 */
public final class ArchiveWriter implements AutoCloseable {
  private static final int OPEN = 0;
  private static final int FAILED = 1;
  private static final int FINISHED = 2;
  private static final int CLOSED = 3;
  /** Header, the largest frame of a data chunk, and room for a trailer after a small manifest. */
  private static final int SCRATCH_SIZE =
      CHUNK_HEADER_SIZE + Lz4Frame.maxEncodedLength(MAX_CHUNK_RAW_LENGTH) + TRAILER_SIZE;

  private final Path path;
  private final FileChannel channel;
  private final AtomicLong next = new AtomicLong(FILE_HEADER_SIZE);
  private final LongAdder written = new LongAdder();
  /** writeChunk holds the read side, finish the write side: finish waits for writes in flight. */
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final ConcurrentLinkedQueue<ByteBuffer> scratchPool = new ConcurrentLinkedQueue<>();
  private volatile int state = OPEN;
  private volatile String failure;

  private ArchiveWriter(Path path, FileChannel channel) {
    this.path = path;
    this.channel = channel;
  }

  /** Creates {@code file} (which must not exist) with mode 0600 and writes the file header. */
  public static ArchiveWriter create(Path file) {
    Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel ch;
    try {
      try {
        FileAttribute<?> mode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
        ch = FileChannel.open(file, options, mode);
      } catch (UnsupportedOperationException notPosix) {
        ch = FileChannel.open(file, options);
      }
    } catch (FileAlreadyExistsException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot create archive " + file + ": it already exists", null, null, e);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot create archive " + file + ": " + e, null, null, e);
    }
    ArchiveWriter w = new ArchiveWriter(file, ch);
    try {
      ByteBuffer header = ByteBuffer.allocateDirect(FILE_HEADER_SIZE);
      Layout.putFileHeader(header);
      w.writeFully(header, 0);
      w.written.add(FILE_HEADER_SIZE);
      return w;
    } catch (IOException e) {
      w.abort();
      throw new CairnException(ErrorCode.REPO_WRITE, "archive " + file + ": writing the header failed: " + e, null, null, e);
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
        long pos = next.getAndAdd(total);
        scratch.clear().limit(total);
        write(scratch, pos, "chunk");
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
   * Writes {@code manifestJson} as the manifest chunk (kind 3) and the trailer after it, forces the
   * file to disk and closes it. Waits for chunk writes in flight; refuses if one failed. Returns the
   * manifest's ref.
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
      long pos = next.get();
      int chunkLength = CHUNK_HEADER_SIZE + encoded.storedLength();
      Layout.putTrailer(buf, chunkLength, pos, chunkLength, encoded.crc32c());
      buf.clear().limit(chunkLength + TRAILER_SIZE);
      write(buf, pos, "manifest and trailer");
      try {
        channel.force(true);
        channel.close();
      } catch (IOException e) {
        state = FAILED;
        throw new CairnException(ErrorCode.REPO_WRITE, "archive " + path + ": syncing the finished file failed: " + e,
            null, null, e);
      }
      state = FINISHED;
      scratchPool.clear();
      return new ChunkRef(pos, encoded.storedLength(), manifestJson.length, encoded.crc32c(), KIND_MANIFEST,
          encoded.codec(), 0);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Closes the file and deletes it, finished or not. Never throws. */
  public void abort() {
    state = CLOSED;
    scratchPool.clear();
    try {
      channel.close();
    } catch (IOException | RuntimeException ignored) {
      // the file is deleted next; nothing useful to report
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException | RuntimeException ignored) {
      // best effort: the file has no trailer (or is unwanted) and no reader accepts it without one
    }
  }

  /** No-op after {@link #finish}; otherwise discards the unfinished file like {@link #abort()}. */
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

  private void write(ByteBuffer buf, long pos, String what) {
    int n = buf.remaining();
    try {
      writeFully(buf, pos);
      written.add(n);
    } catch (IOException e) {
      String why = e instanceof ClosedByInterruptException ? "the writing thread was interrupted, which closes the file"
          : e.toString();
      failure = "writing " + what + " at byte offset " + pos + ": " + why;
      state = state == CLOSED ? CLOSED : FAILED;
      throw new CairnException(ErrorCode.REPO_WRITE, "archive " + path + ": writing " + what + " of " + n
          + " bytes at byte offset " + pos + " failed: " + why, null, null, e);
    }
  }

  private void writeFully(ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      pos += channel.write(buf, pos);
    }
  }
}
