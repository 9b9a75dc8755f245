package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.FILE_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.KIND_MANIFEST;
import static dev.cairn.archive.ArchiveFormat.MAX_CHUNK_RAW_LENGTH;
import static dev.cairn.archive.ArchiveFormat.MIN_ARCHIVE_SIZE;
import static dev.cairn.archive.ArchiveFormat.TRAILER_SIZE;

import dev.cairn.crypt.KeyBlock;
import dev.cairn.crypt.Keys;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.ReadSource;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Reads an archive through a storage {@link ReadSource}: {@link #open} checks the header and trailer
 * and reads and checks the manifest chunk; {@link #readChunk} reads any chunk alone from its ref with
 * one ranged read (trailer, then manifest range, then chunk range: the access pattern of HTTP range
 * requests as of local files).
 *
 * <p>Never returns wrong bytes: every chunk header is checked against its ref, every payload against
 * its CRC32C (and, encrypted, its GCM tag and binding), every decompressed length against the raw length.
 *
 * <p>An encrypted archive (format version 2) opens without a key too: the structure and every CRC32C
 * can be checked ({@link #checkChunk}); the manifest and chunk contents need one of the key block's
 * slots, and without one {@link #manifestJson} and {@link #readChunk} fail with ARCHIVE_KEY naming them. Every failure is a
 * {@link CairnException}: ARCHIVE_CORRUPT for bad bytes, REPO_READ for I/O. Thread-safe.
 */
public final class ArchiveReader implements AutoCloseable {
  /** Enough for any data or schema chunk: stored length is at most raw length (plus nonce and tag). */
  private static final int SCRATCH_SIZE = CHUNK_HEADER_SIZE + MAX_CHUNK_RAW_LENGTH + dev.cairn.crypt.ChunkCipher.OVERHEAD;
  private static final int MIN_SCRATCH_SIZE = 64 << 10;

  private final ReadSource in;
  private final String source;
  private final long size;
  private final Layout.Header header;
  private final byte[] headerBytes;
  private final ChunkRef manifestRef;
  /** Null while locked (encrypted, no key opened it). */
  private final byte[] manifest;
  private final KeyBlock keyBlock;
  private final KeyBlock.Unlocked unlocked;
  /** Why the contents cannot be read (ARCHIVE_KEY), or null. */
  private final CairnException locked;
  private final ChunkCodec codec;
  private final ConcurrentLinkedQueue<ByteBuffer> scratchPool = new ConcurrentLinkedQueue<>();

  private ArchiveReader(ReadSource in, String name, Keys keys) {
    this.in = in;
    this.source = "archive " + name;
    this.size = in.size();
    if (size < MIN_ARCHIVE_SIZE) {
      throw Layout.corrupt(source + " is truncated: " + size + " bytes, shorter than header, manifest chunk header and"
          + " trailer (" + MIN_ARCHIVE_SIZE + " bytes)");
    }
    ByteBuffer header = ByteBuffer.allocate(FILE_HEADER_SIZE);
    readFully(header, 0);
    this.header = Layout.checkFileHeader(header, source);
    this.headerBytes = ArchiveWriter.headerBytes(header);
    ByteBuffer trailerBytes = ByteBuffer.allocate(TRAILER_SIZE);
    readFully(trailerBytes, size - TRAILER_SIZE);
    Layout.Trailer trailer = Layout.parseTrailer(trailerBytes, size, source, this.header);
    KeyBlock.Unlocked open = null;
    CairnException why = null;
    if (this.header.encrypted()) {
      this.keyBlock = readKeyBlock(trailer.manifestOffset() + trailer.manifestLength());
      try {
        open = keyBlock.unlock(keys, headerBytes, source);
      } catch (CairnException e) {
        if (e.code() != ErrorCode.ARCHIVE_KEY) {
          throw e;
        }
        why = e;
      }
    } else {
      this.keyBlock = null;
    }
    this.unlocked = open;
    this.locked = why;
    this.codec = open == null ? ChunkCodec.PLAIN : new ChunkCodec(open.cipher(), keyBlock.archiveId());

    long at = trailer.manifestOffset();
    String context = source + ": manifest chunk at byte offset " + at;
    ByteBuffer buf = ByteBuffer.allocateDirect((int) trailer.manifestLength());
    readFully(buf, at);
    ChunkRef ref = Layout.parseChunkHeader(buf, 0, at, at + trailer.manifestLength(), this.header.encrypted(),
        context);
    Layout.checkManifestHeader(ref, trailer, context);
    this.manifestRef = ref;
    if (locked == null) {
      this.manifest = codec.decode(buf, ref, ChunkAad.MANIFEST, context);
    } else {
      ChunkCodec.checkCrc(buf, ref, context);
      this.manifest = null;
    }
  }

  /** The key block chunk, which fills the space between the manifest chunk and the trailer. */
  private KeyBlock readKeyBlock(long at) {
    String context = source + ": key block at byte offset " + at;
    long end = size - TRAILER_SIZE;
    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(end - at, CHUNK_HEADER_SIZE + ArchiveFormat.MAX_KEYS_RAW_LENGTH
        + 1L));
    readFully(buf, at);
    ChunkRef ref = Layout.parseChunkHeader(buf, 0, at, end, true, context);
    if (ref.kind() != ArchiveFormat.KIND_KEYS || ref.end() != end) {
      throw Layout.corrupt(context + ": expected the key block (kind 4) ending at the trailer (byte offset " + end
          + "), found kind " + ref.kind() + " ending at byte offset " + ref.end());
    }
    ChunkCodec.checkCrc(buf, ref, context);
    byte[] payload = new byte[ref.storedLength()];
    buf.get(CHUNK_HEADER_SIZE, payload);
    return KeyBlock.parse(payload, context);
  }

  /**
   * Checks {@code in}'s header, trailer and manifest chunk; {@code name} names the archive in messages.
   * Takes ownership of {@code in}: closed by {@link #close}, or here when the checks fail.
   */
  public static ArchiveReader open(ReadSource in, String name) {
    return open(in, name, Keys.NONE);
  }

  /** {@link #open(ReadSource, String)}, opening an encrypted archive's contents with {@code keys}. */
  public static ArchiveReader open(ReadSource in, String name, Keys keys) {
    try {
      return new ArchiveReader(in, name, keys);
    } catch (CairnException e) {
      in.close();
      throw e;
    } catch (RuntimeException e) {
      in.close();
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "archive " + name + ": cannot be decoded: " + e, null, null, e);
    }
  }

  /** The archive's name in messages ("archive <name>"). */
  public String name() {
    return source.substring("archive ".length());
  }

  /** The manifest, as written by {@link ArchiveWriter#finish(byte[])}. A copy. ARCHIVE_KEY when locked. */
  public byte[] manifestJson() {
    checkUnlocked();
    return manifest.clone();
  }

  /** The file header's format version (1 or 2). */
  public int formatVersion() {
    return header.version();
  }

  public boolean encrypted() {
    return header.encrypted();
  }

  /** Whether the contents can be read: not encrypted, or a key opened it. */
  public boolean readable() {
    return locked == null;
  }

  /** The key block of an encrypted archive, or null. */
  public KeyBlock keyBlock() {
    return keyBlock;
  }

  /** The opened key block (for key rotation), or null when unencrypted or locked. */
  KeyBlock.Unlocked unlocked() {
    return unlocked;
  }

  ReadSource source() {
    return in;
  }

  byte[] headerBytes() {
    return headerBytes.clone();
  }

  private void checkUnlocked() {
    if (locked != null) {
      throw new CairnException(locked.code(), locked.getMessage(), locked.hint());
    }
  }

  /** The manifest chunk's ref; its offset is also where the data chunks end. */
  public ChunkRef manifestRef() {
    return manifestRef;
  }

  /** File size in bytes. */
  public long size() {
    return size;
  }

  /**
   * Reads and checks the chunk {@code ref} describes and returns its raw bytes (a new array). Fails
   * with ARCHIVE_CORRUPT when the header at {@code ref.offset()} disagrees with the ref in any field,
   * the payload's CRC32C differs, or it does not decompress to exactly {@code ref.rawLength()} bytes.
   */
  public byte[] readChunk(ChunkRef ref) {
    return readChunk(ref, ChunkAad.NONE);
  }

  /**
   * {@link #readChunk(ChunkRef)} of a chunk the manifest lists at {@code aad} (its stream, index and
   * whether it is the stream's last): an encrypted chunk from anywhere else fails authentication.
   */
  public byte[] readChunk(ChunkRef ref, ChunkAad aad) {
    checkUnlocked();
    return read(ref, aad, null, true);
  }

  /**
   * {@link #readChunk(ChunkRef, ChunkAad)} into a prefix of {@code into} (at least {@code ref.rawLength()}
   * bytes): a restore reuses its arrays.
   */
  public void readChunk(ChunkRef ref, ChunkAad aad, byte[] into) {
    checkUnlocked();
    if (into.length < ref.rawLength()) {
      throw new CairnException(ErrorCode.INTERNAL, source + ": chunk at byte offset " + ref.offset() + " holds "
          + ref.rawLength() + " bytes, more than the " + into.length + " given for it");
    }
    read(ref, aad, into, true);
  }

  /**
   * Storage-level check of one chunk, without a key: its header matches {@code ref} and its stored
   * bytes their CRC32C. Nothing is decrypted or decompressed.
   */
  public void checkChunk(ChunkRef ref) {
    read(ref, null, null, false);
  }

  /**
   * Checks the chunk at {@code ref}; with {@code decode}, decodes it into {@code into}, or into a new array
   * of its raw length (allocated once the header's length is checked) when that is null, and returns that.
   */
  private byte[] read(ChunkRef ref, ChunkAad aad, byte[] into, boolean decode) {
    if (ref == null) {
      throw new CairnException(ErrorCode.INTERNAL, source + ": chunk ref is null");
    }
    String context = source + ": chunk at byte offset " + ref.offset();
    try {
      checkRefBounds(ref, context);
      int total = CHUNK_HEADER_SIZE + ref.storedLength();
      boolean pooled = total <= SCRATCH_SIZE;
      ByteBuffer buf = pooled ? scratchPool.poll() : null;
      if (buf == null || buf.capacity() < total) {
        // grow in powers of two up to the largest data chunk; a small read never pays for 8 MiB
        buf = ByteBuffer.allocateDirect(pooled ? Math.min(SCRATCH_SIZE, Math.max(MIN_SCRATCH_SIZE,
            Integer.highestOneBit(total - 1) << 1)) : total);
      }
      try {
        buf.clear().limit(total);
        readFully(buf, ref.offset());
        ChunkRef header = Layout.parseChunkHeader(buf, 0, ref.offset(), dataLimit(ref), this.header.encrypted(), context);
        Layout.checkMatchesRef(header, ref, context);
        if (!decode) {
          ChunkCodec.checkCrc(buf, header, context);
          return null;
        }
        byte[] out = into != null ? into : new byte[header.rawLength()];
        codec.decode(buf, header, aad, context, out);
        return out;
      } finally {
        if (pooled) {
          scratchPool.offer(buf);
        }
      }
    } catch (CairnException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": cannot be decoded: " + e, null, null, e);
    }
  }

  /**
   * Reads and checks the chunk header at {@code offset} without a ref (for a verifier walking the
   * chunks from {@link ArchiveFormat#FILE_HEADER_SIZE} to {@code manifestRef().offset()}, each at the
   * previous one's {@link ChunkRef#end()}). The returned ref is what the header says; pass it to
   * {@link #readChunk} to check the payload.
   */
  public ChunkRef chunkAt(long offset) {
    String context = source + ": chunk at byte offset " + offset;
    try {
      if (offset < FILE_HEADER_SIZE || offset > size - TRAILER_SIZE - CHUNK_HEADER_SIZE) {
        throw Layout.corrupt(context + ": offset is outside the chunk area [" + FILE_HEADER_SIZE + ", "
            + (size - TRAILER_SIZE) + ")");
      }
      ByteBuffer buf = ByteBuffer.allocate(CHUNK_HEADER_SIZE);
      readFully(buf, offset);
      ChunkRef ref = Layout.parseChunkHeader(buf, 0, offset, size - TRAILER_SIZE, header.encrypted(), context);
      if (ref.kind() == ArchiveFormat.KIND_KEYS) {
        throw Layout.corrupt(context + ": a key block (kind 4) in the data area; the only one ends at the trailer");
      }
      if (ref.kind() == KIND_MANIFEST ? offset != manifestRef.offset() : ref.end() > manifestRef.offset()) {
        throw Layout.corrupt(context + ": a chunk of kind " + ref.kind() + " ending at byte offset " + ref.end()
            + " overlaps the manifest chunk at byte offset " + manifestRef.offset());
      }
      return ref;
    } catch (CairnException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, context + ": cannot be decoded: " + e, null, null, e);
    }
  }

  @Override
  public void close() {
    scratchPool.clear();
    in.close();
  }

  /** Data and schema chunks lie between the file header and the manifest; the manifest is where the trailer says. */
  private void checkRefBounds(ChunkRef ref, String context) {
    if (ref.kind() == KIND_MANIFEST) {
      if (!ref.equals(manifestRef)) {
        throw Layout.corrupt(context + ": manifest chunk ref " + ref + " is not the archive's manifest " + manifestRef);
      }
      return;
    }
    if (ref.offset() < FILE_HEADER_SIZE || ref.storedLength() < 0 || ref.storedLength() > ref.rawLength()
        + (header.encrypted() ? dev.cairn.crypt.ChunkCipher.OVERHEAD : 0)
        || ref.rawLength() > MAX_CHUNK_RAW_LENGTH || ref.offset() > manifestRef.offset()
        || ref.end() > manifestRef.offset()) {
      throw Layout.corrupt(context + ": chunk ref " + ref + " does not fit in the data area [" + FILE_HEADER_SIZE
          + ", " + manifestRef.offset() + ") with stored length at most raw length at most " + MAX_CHUNK_RAW_LENGTH);
    }
  }

  private long dataLimit(ChunkRef ref) {
    return ref.kind() == KIND_MANIFEST ? manifestRef.end() : manifestRef.offset();
  }

  /** Fills {@code buf} from its position to its limit with the bytes at {@code pos}. */
  private void readFully(ByteBuffer buf, long pos) {
    if (pos < 0 || pos + buf.remaining() > size) {
      throw Layout.corrupt(source + " is truncated: reading " + buf.remaining() + " bytes at byte offset " + pos
          + " goes past its end (size " + size + ")");
    }
    in.read(pos, buf);
  }
}
