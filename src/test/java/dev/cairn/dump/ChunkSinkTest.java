package dev.cairn.dump;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveFormat;
import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.bus.Bus;
import dev.cairn.compress.ChunkArrays;
import dev.cairn.compress.Chunks;
import dev.cairn.compress.CompressorVerticle;
import dev.cairn.testkit.TestArchives;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A part's COPY text through {@link ChunkSink}: batches filled in the sink's own chunk-sized arrays become
 * chunks as they are (no copy), other buffers (a row longer than a chunk, a small buffer) are copied into
 * chunks, and the archive holds every byte in order.
 */
class ChunkSinkTest {
  static final int CHUNK = 64 << 10;
  static Vertx vertx;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Bus.register(vertx);
    await(CompressorVerticle.deploy(vertx));
  }

  @AfterAll
  static void stop() throws Exception {
    await(vertx.close());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** {@code n} rows of about 60 bytes, starting at row {@code from}. */
  static byte[] rows(int from, int bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; sb.length() + 80 < bytes; i++) {
      sb.append(i).append("\tcustomer ").append(i * 7919 % 10007).append("\t2026-12-02 04:00:00+00\tsome text\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A batch as the COPY reader makes it: whole rows at the start of an array taken from {@code spare}. */
  static Buffer batch(ChunkArrays spare, byte[] rows) {
    byte[] a = spare.take();
    System.arraycopy(rows, 0, a, 0, rows.length);
    return BufferInternal.buffer(Unpooled.wrappedBuffer(a, 0, rows.length));
  }

  @Test
  void batchesInChunkArraysBecomeChunksUncopiedAndOtherBuffersAreCopiedInOrder() throws Exception {
    ChunkArrays spare = new ChunkArrays(CHUNK, 4);
    byte[] first = rows(0, CHUNK - 100);
    byte[] huge = ("9\t" + "x".repeat(3 * CHUNK + 123) + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] second = rows(1000, CHUNK / 2);
    byte[] small = "10\tsmall row\n".getBytes(StandardCharsets.UTF_8);
    byte[] third = rows(2000, CHUNK - 10);
    List<Buffer> writes = List.of(batch(spare, first), Buffer.buffer(huge), batch(spare, second), Buffer.buffer(small),
        batch(spare, third));
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] b : List.of(first, huge, second, small, third)) {
      all.write(b);
    }

    Path file = dir.resolve("sink.cairn");
    ArchiveWriter writer = TestArchives.create(file);
    ChunkSink sink = new ChunkSink(writer, ArchiveFormat.KIND_DATA, new Chunks(vertx), spare, ChunkAad.dataStream(1, null));
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(v -> feed(sink, writes.iterator(), done));
    await(done.future());
    writer.finish("{}".getBytes(StandardCharsets.UTF_8));

    List<ChunkRef> refs = sink.refs();
    List<Integer> lengths = new ArrayList<>();
    ByteArrayOutputStream back = new ByteArrayOutputStream();
    try (ArchiveReader r = TestArchives.open(file)) {
      for (ChunkRef ref : refs) {
        byte[] raw = r.readChunk(ref);
        assertTrue(raw.length <= CHUNK, "a chunk of " + raw.length + " bytes");
        lengths.add(raw.length);
        back.write(raw);
      }
    }
    assertArrayEquals(all.toByteArray(), back.toByteArray());
    // first as it was; the huge row in full chunks with its rest as a short chunk before the second batch,
    // which stays whole; the small buffer and the third batch (copied after it: a partial chunk was open)
    assertEquals(first.length, lengths.get(0));
    assertEquals(List.of(CHUNK, CHUNK, CHUNK), lengths.subList(1, 4));
    assertEquals(huge.length - 3 * CHUNK, lengths.get(4));
    assertEquals(second.length, lengths.get(5));
    assertEquals(small.length, lengths.get(6));
    assertEquals(third.length, lengths.get(7));
    assertEquals(8, lengths.size());
    assertEquals(all.size(), sink.rawBytes());
  }

  /** Writes as a pipe does: the next buffer once the sink has room, then the end. */
  static void feed(ChunkSink sink, Iterator<Buffer> it, Promise<Void> done) {
    while (it.hasNext()) {
      sink.write(it.next());
      if (sink.writeQueueFull()) {
        sink.drainHandler(v -> feed(sink, it, done));
        return;
      }
    }
    sink.end().onComplete(done);
  }
}
