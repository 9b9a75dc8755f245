package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.ReadSource;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * Reads of a published object by HTTP range requests (GetObject with {@code Range}), one request per
 * read: an archive reader asks for one chunk at a time, so a single-table restore fetches only that
 * table's chunks. Thread-safe (no state but the size). An object deleted meanwhile fails the next read.
 */
final class RangedSource implements ReadSource {
  private final S3Storage storage;
  private final String key;
  private final long size;

  RangedSource(S3Storage storage, String key, long size) {
    this.storage = storage;
    this.key = key;
    this.size = size;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void read(long offset, ByteBuffer dst) {
    int len = dst.remaining();
    if (len == 0) {
      return;
    }
    if (offset < 0 || offset + len > size) {
      throw new CairnException(ErrorCode.REPO_READ, key + " in " + storage.location() + " ends at byte offset " + size
          + ", before the " + len + " bytes asked for at byte offset " + offset);
    }
    Buffer body = storage.await(storage.client().get(storage.s3Location().objectKey(key), offset, len))
        .orElseThrow(() -> new CairnException(ErrorCode.REPO_READ, key + " in " + storage.location()
            + " is gone (deleted while it was read)")).body();
    if (body.length() != len) {
      throw new CairnException(ErrorCode.REPO_READ, "reading " + len + " bytes of " + key + " at byte offset " + offset
          + " in " + storage.location() + " returned " + body.length() + " bytes");
    }
    dst.put(((BufferInternal) body).getByteBuf().nioBuffer());
    storage.countRead(len);
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public void close() {
    // nothing is held between requests
  }
}
