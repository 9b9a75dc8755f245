package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.TRAILER_SIZE;

import dev.cairn.crypt.KeyBlock;
import dev.cairn.crypt.Keys;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.WriteSink;
import java.nio.ByteBuffer;

/**
 * Key rotation of one archive: a copy whose bytes up to the end of the manifest chunk are the
 * original's, verbatim (no chunk is decrypted or re-encrypted), followed by a new key block wrapping
 * the same data key for other slots, and the trailer.
 */
public final class ArchiveRewrap {
  private static final int COPY_BUFFER = 4 << 20;

  private ArchiveRewrap() {}

  /**
   * Writes the copy of {@code reader}'s archive (encrypted, opened with a key) into {@code sink} and
   * commits it; returns its size. ARCHIVE_KEY when the reader is locked.
   */
  public static long rewrap(ArchiveReader reader, Keys slots, WriteSink sink) {
    KeyBlock.Unlocked u = reader.unlocked();
    if (u == null) {
      if (!reader.encrypted()) {
        throw new CairnException(ErrorCode.INTERNAL, "archive " + reader.name() + " is not encrypted");
      }
      reader.manifestJson(); // throws the ARCHIVE_KEY error that names the slots
    }
    if (!slots.encrypts()) {
      throw new CairnException(ErrorCode.USAGE, "a key rotation needs at least one slot");
    }
    try {
      KeyBlock block = u.block().rewrap(u.dataKey(), slots, reader.headerBytes());
      ChunkRef m = reader.manifestRef();
      long prefix = m.end();
      ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(COPY_BUFFER, prefix));
      for (long pos = 0; pos < prefix; ) {
        buf.clear().limit((int) Math.min(buf.capacity(), prefix - pos));
        reader.source().read(pos, buf);
        buf.flip();
        pos += buf.remaining();
        sink.write(buf);
      }
      byte[] keys = block.payload();
      ByteBuffer tail = ByteBuffer.allocate(CHUNK_HEADER_SIZE + keys.length + TRAILER_SIZE);
      ArchiveWriter.putKeysChunk(tail, 0, keys);
      Layout.putTrailer(tail, CHUNK_HEADER_SIZE + keys.length, m.offset(), CHUNK_HEADER_SIZE + m.storedLength(),
          m.crc32c(), ArchiveFormat.ARCHIVE_FLAG_ENCRYPTED);
      sink.write(tail);
      long size = sink.position();
      sink.commit();
      return size;
    } catch (RuntimeException e) {
      sink.abort();
      throw e;
    }
  }
}
