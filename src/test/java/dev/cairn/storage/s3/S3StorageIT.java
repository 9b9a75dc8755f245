package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageContract;
import dev.cairn.storage.WriteSink;
import dev.cairn.testkit.S3Server;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the S3 driver against S3Proxy (5 MiB parts, so big writes are multipart), and S3's own cases. */
class S3StorageIT extends StorageContract {
  private static final AtomicInteger SEQ = new AtomicInteger();
  @TempDir static Path dir;
  private static S3Server server;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(dir.resolve("s3"));
    server.bucket("contract");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @Override
  protected S3Storage storage() {
    S3Location loc = S3Server.location(server.endpoint(), "contract", "t" + SEQ.incrementAndGet() + "/",
        S3Location.MIN_PART_SIZE);
    return S3Storage.open(loc, S3Server.credentials(), S3Tuning.defaults(), Clock.systemUTC(), Map.of());
  }

  @Override
  protected int bigSize() {
    return 12 << 20;
  }

  @Test
  void twoMultipartWritersOfOneKeyNeverOverwriteEachOther() {
    Storage s = storage();
    byte[] first = random(bigSize(), 1);
    byte[] second = random(bigSize(), 2);
    try (WriteSink a = s.create("same.cairn"); WriteSink b = s.create("same.cairn")) {
      a.write(ByteBuffer.wrap(first));
      b.write(ByteBuffer.wrap(second));
      a.commit();
      CairnException e = assertThrows(CairnException.class, b::commit);
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
    assertArrayEquals(first, s.get("same.cairn").orElseThrow());
    assertEquals(List.of(), s.partials());
  }

  @Test
  void rangedReadsCountTheBytesFetched() {
    S3Storage s = storage();
    s.put("x.cairn", random(10_000, 4));
    try (var in = s.open("x.cairn").orElseThrow()) {
      in.read(100, ByteBuffer.allocate(1000));
      in.read(5000, ByteBuffer.allocate(24));
    }
    assertEquals(1024, s.bytesRead());
  }

  @Test
  void staleUploadsAreAbortedAndFreshOnesKept() {
    S3Storage s = storage();
    WriteSink w = s.create("old.cairn");
    w.write(ByteBuffer.wrap(random(bigSize(), 6)));
    assertEquals(List.of(), s.abortStaleUploads(Duration.ofHours(1)), "an upload of a minute ago is kept");
    assertEquals(List.of("old.cairn"), s.partials());
    assertEquals(List.of("old.cairn"), s.abortStaleUploads(Duration.ZERO.minusSeconds(5)));
    assertEquals(List.of(), s.partials());
  }
}
