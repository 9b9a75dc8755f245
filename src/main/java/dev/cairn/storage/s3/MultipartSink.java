package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.WriteSink;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * A write as fixed-size parts (the location's part size; R2 requires equal parts) of one multipart
 * upload, started when the first part is full. At most {@code partsInFlight} part buffers exist (off
 * heap, reused), the one being filled included: a writer faster than the network waits for the oldest
 * part. The upload is completed with {@code If-None-Match: *} and confirmed by HEAD (size, and ETag
 * against the complete's answer) before commit returns; any failure aborts the upload. An object that
 * fits in one part is a single conditional PutObject.
 */
final class MultipartSink implements WriteSink {
  private record InFlight(Future<S3Client.Part> part, ByteBuffer buffer, byte[] md5) {}

  private final S3Storage storage;
  private final S3Client client;
  private final String key;
  private final String objectKey;
  private final int partSize;
  private final int maxBuffers;
  private final ArrayDeque<ByteBuffer> free = new ArrayDeque<>();
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private final List<S3Client.Part> parts = new ArrayList<>();
  private final List<byte[]> md5s = new ArrayList<>();
  private int buffers;
  private ByteBuffer current;
  private String uploadId;
  private long position;
  private boolean done;

  MultipartSink(S3Storage storage, String key) {
    this.storage = storage;
    this.client = storage.client();
    this.key = key;
    this.objectKey = client.location().objectKey(key);
    this.partSize = (int) Math.min(Integer.MAX_VALUE - 64, client.location().partSize());
    this.maxBuffers = Math.max(1, client.http().tuning().partsInFlight());
  }

  @Override
  public void write(ByteBuffer buf) {
    checkOpen();
    try {
      while (buf.hasRemaining()) {
        if (current == null) {
          current = takeBuffer();
        }
        int n = Math.min(buf.remaining(), current.remaining());
        ByteBuffer slice = buf.slice(buf.position(), n);
        current.put(slice);
        buf.position(buf.position() + n);
        position += n;
        if (!current.hasRemaining()) {
          sendCurrent();
        }
      }
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public void commit() {
    checkOpen();
    try {
      if (uploadId == null) {
        putWhole();
      } else {
        if (current != null && current.position() > 0) {
          sendCurrent();
        }
        drain();
        complete();
      }
      done = true;
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** Everything fits in one part: one PutObject, If-None-Match: *. */
  private void putWhole() {
    ByteBuffer b = current == null ? ByteBuffer.allocate(0) : current.flip();
    Buffer body = wrap(b);
    Optional<String> etag = storage.await(client.put(objectKey, body, true, true, null));
    if (etag.isEmpty()) {
      String ours = HexFormat.of().formatHex(Checksums.md5(body));
      boolean mine = storage.await(client.head(objectKey)).map(h -> ours.equals(S3Client.unquote(h.etag())))
          .orElse(false);
      if (!mine) {
        throw exists();
      }
    }
  }

  private void complete() {
    parts.sort(Comparator.comparingInt(S3Client.Part::number));
    Optional<String> etag = storage.await(client.completeMultipartUpload(objectKey, uploadId, parts));
    String expected = Checksums.multipartEtag(md5s);
    S3Client.Head h = storage.await(client.head(objectKey)).orElse(null);
    if (etag.isEmpty()) {
      // 412 (someone else's object) or 404 NoSuchUpload (our earlier attempt completed it, its answer lost)
      if (h != null && expected.equals(S3Client.unquote(h.etag())) && h.size() == position) {
        uploadId = null;
        return;
      }
      throw exists();
    }
    uploadId = null; // completed: nothing left to abort
    if (h == null || h.size() != position || !S3Client.unquote(etag.get()).equals(S3Client.unquote(h.etag()))) {
      throw new CairnException(ErrorCode.REPO_WRITE, "the upload of " + key + " to " + storage.location()
          + " completed but is not confirmed: the store has " + (h == null ? "no object"
              : h.size() + " bytes (ETag " + h.etag() + ")") + ", " + position + " bytes (ETag " + etag.get()
          + ") were written", "check the store; the backup is not listed as complete");
    }
  }

  private CairnException exists() {
    return new CairnException(ErrorCode.REPO_WRITE, key + " already exists in " + storage.location() + "; not replaced");
  }

  private ByteBuffer takeBuffer() {
    ByteBuffer b = free.poll();
    if (b == null && buffers < maxBuffers) {
      buffers++;
      b = ByteBuffer.allocateDirect(partSize);
    }
    while (b == null) {
      waitOldest();
      b = free.poll();
    }
    return b.clear();
  }

  private void sendCurrent() {
    if (uploadId == null) {
      uploadId = storage.await(client.createMultipartUpload(objectKey, true));
    }
    int number = parts.size() + inFlight.size() + 1;
    Buffer body = wrap(current.flip());
    byte[] md5 = Checksums.md5(body);
    md5s.add(md5);
    inFlight.add(new InFlight(client.uploadPart(objectKey, uploadId, number, body), current, md5));
    current = null;
  }

  /** Waits for the oldest part in flight; its buffer is free again. */
  private void waitOldest() {
    InFlight f = inFlight.poll();
    S3Client.Part p = storage.await(f.part());
    String ours = HexFormat.of().formatHex(f.md5());
    if (p.etag() != null && "none".equals(client.location().sse()) && !ours.equals(S3Client.unquote(p.etag()))) {
      throw new CairnException(ErrorCode.REPO_WRITE, "part " + p.number() + " of " + key + " in " + storage.location()
          + " was stored with ETag " + p.etag() + ", not the MD5 of the bytes sent (" + ours + ")");
    }
    parts.add(p);
    free.add(f.buffer());
  }

  private void drain() {
    while (!inFlight.isEmpty()) {
      waitOldest();
    }
  }

  /** Settles the parts in flight and aborts the upload. Never throws. */
  @Override
  public void abort() {
    if (done) {
      return;
    }
    done = true;
    for (InFlight f : inFlight) {
      try {
        storage.await(f.part().transform(ar -> Future.succeededFuture()));
      } catch (RuntimeException ignored) {
        // settled either way; the upload is aborted next
      }
    }
    inFlight.clear();
    if (uploadId != null) {
      storage.abortQuietly(objectKey, uploadId);
      uploadId = null;
    }
  }

  private void checkOpen() {
    if (done) {
      throw new CairnException(ErrorCode.INTERNAL, "the write of " + key + " is already committed or aborted");
    }
  }

  /** A Vert.x view of the buffer's remaining bytes, not a copy; resent as it is by a retry. */
  private static Buffer wrap(ByteBuffer b) {
    return BufferInternal.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(b)));
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public void close() {
    if (!done) {
      abort();
    }
  }
}
