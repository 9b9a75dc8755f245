package dev.cairn.storage.s3;

import dev.cairn.storage.Storage;
import dev.cairn.storage.StorageContract;
import dev.cairn.testkit.S3Server;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the S3 driver against S3Proxy: 5 MiB parts, so big writes are multipart. */
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
  protected Storage storage() {
    S3Location loc = S3Server.location(server.endpoint(), "contract", "t" + SEQ.incrementAndGet() + "/",
        S3Location.MIN_PART_SIZE);
    return S3Storage.open(loc, S3Server.credentials(), S3Tuning.defaults(), java.time.Clock.systemUTC(), java.util.Map.of());
  }

  @Override
  protected int bigSize() {
    return 12 << 20;
  }
}
