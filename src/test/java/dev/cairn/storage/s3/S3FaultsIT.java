package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.WriteSink;
import dev.cairn.testkit.FaultProxy;
import dev.cairn.testkit.S3Server;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads through a fault-injecting proxy in front of S3Proxy: throttling, connections closed in the
 * middle of a part, a stalled connection, a refused completion. Each write either succeeds with an
 * object byte-identical to what was written or fails cleanly: nothing listed, no upload left behind
 * (both checked on S3Proxy directly, not through the proxy).
 */
class S3FaultsIT {
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final byte[] DATA = new byte[12 << 20]; // three 5 MiB parts, the last one short
  @TempDir static Path dir;
  private static S3Server server;
  private FaultProxy proxy;
  private String prefix;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(dir.resolve("s3"));
    server.bucket("faults");
    new Random(11).nextBytes(DATA);
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  @BeforeEach
  void proxy() throws Exception {
    proxy = FaultProxy.start(server.endpoint());
    prefix = "f" + SEQ.incrementAndGet() + "/";
  }

  @AfterEach
  void closeProxy() throws Exception {
    proxy.close();
  }

  private S3Storage viaProxy(S3Tuning tuning) {
    return S3Storage.open(S3Server.location(proxy.endpoint(), "faults", prefix, S3Location.MIN_PART_SIZE),
        S3Server.credentials(), tuning, Clock.systemUTC(), Map.of());
  }

  private S3Storage direct() {
    return S3Storage.open(S3Server.location(server.endpoint(), "faults", prefix, S3Location.MIN_PART_SIZE),
        S3Server.credentials(), S3Tuning.defaults(), Clock.systemUTC(), Map.of());
  }

  private static S3Tuning quick() {
    return S3Tuning.defaults().withRetries(6, Duration.ofMillis(20), Duration.ofSeconds(30));
  }

  private static void write(S3Storage s, String key) {
    try (WriteSink w = s.create(key)) {
      for (int at = 0; at < DATA.length; at += 1 << 20) {
        w.write(ByteBuffer.wrap(DATA, at, Math.min(1 << 20, DATA.length - at)));
      }
      w.commit();
    }
  }

  private void assertNothingLeft(String key) {
    S3Storage s = direct();
    assertTrue(s.stat(key).isEmpty(), "no object " + key);
    assertEquals(List.of(), s.list(""), "nothing listed");
    assertEquals(List.of(), s.partials(), "no multipart upload left behind");
  }

  @Test
  void slowDownAndConnectionsClosedMidPartAreRetriedIntoAByteIdenticalObject() {
    proxy.inject(FaultProxy.UPLOAD_PART, FaultProxy.Fault.SLOW_DOWN, 2)
        .inject(FaultProxy.UPLOAD_PART, FaultProxy.Fault.RESET_MID_BODY, 2)
        .inject(FaultProxy.COMPLETE, FaultProxy.Fault.SLOW_DOWN, 1);
    write(viaProxy(quick()), "a.cairn");
    assertEquals(5, proxy.fired(), "every fault was injected");
    S3Storage s = direct();
    assertArrayEquals(DATA, s.get("a.cairn").orElseThrow());
    assertEquals(List.of(), s.partials());
  }

  @Test
  void aStalledConnectionIsGivenUpAfterTheIdleTimeoutAndTheRetrySucceeds() {
    proxy.inject(FaultProxy.UPLOAD_PART, FaultProxy.Fault.STALL, 1);
    long t0 = System.nanoTime();
    write(viaProxy(quick().withIdleTimeout(Duration.ofSeconds(1))), "stalled.cairn");
    assertEquals(1, proxy.fired());
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos(), "the stall did not hang the upload");
    assertArrayEquals(DATA, direct().get("stalled.cairn").orElseThrow());
  }

  @Test
  void aRefusedCompletionFailsCleanlyAbortsTheUploadAndListsNothing() {
    proxy.inject(FaultProxy.COMPLETE, FaultProxy.Fault.REFUSE, 1);
    CairnException e = assertThrows(CairnException.class, () -> write(viaProxy(quick()), "refused.cairn"));
    assertEquals(ErrorCode.REPO_WRITE, e.code());
    assertTrue(e.getMessage().contains("completing the upload of " + prefix + "refused.cairn")
        && e.getMessage().contains("InvalidPart"), e.getMessage());
    assertNothingLeft("refused.cairn");
  }

  @Test
  void throttlingBeyondTheRetryBudgetFailsCleanlyNamingEveryAttempt() {
    proxy.inject(FaultProxy.UPLOAD_PART, FaultProxy.Fault.SLOW_DOWN, 1000);
    S3Tuning three = S3Tuning.defaults().withRetries(3, Duration.ofMillis(10), Duration.ofSeconds(30));
    CairnException e = assertThrows(CairnException.class, () -> write(viaProxy(three), "throttled.cairn"));
    assertEquals(ErrorCode.REPO_WRITE, e.code());
    assertTrue(e.getMessage().contains("failed after 3 attempts") && e.getMessage().contains("SlowDown (HTTP 503)"),
        e.getMessage());
    assertTrue(e.getMessage().contains("uploading part 1"), e.getMessage());
    assertNothingLeft("throttled.cairn");
  }

  @Test
  void anObjectThatFitsOnePartIsRetriedAsOneConditionalPut() {
    proxy.inject(FaultProxy.PUT_ARCHIVE, FaultProxy.Fault.RESET_MID_BODY, 1)
        .inject(FaultProxy.PUT_ARCHIVE, FaultProxy.Fault.SLOW_DOWN, 1);
    byte[] small = java.util.Arrays.copyOf(DATA, 100_000);
    S3Storage s = viaProxy(quick());
    try (WriteSink w = s.create("small.cairn")) {
      w.write(ByteBuffer.wrap(small));
      w.commit();
    }
    assertEquals(2, proxy.fired());
    assertArrayEquals(small, direct().get("small.cairn").orElseThrow());
  }

  @Test
  void aCompletionOrPutWhoseAnswerIsLostIsConfirmedByItsETagNotReportedAsAConflict() {
    proxy.inject(FaultProxy.COMPLETE, FaultProxy.Fault.LOSE_ANSWER, 1)
        .inject(FaultProxy.PUT_ARCHIVE, FaultProxy.Fault.LOSE_ANSWER, 1);
    S3Storage s = viaProxy(quick());
    write(s, "lost.cairn");
    byte[] small = java.util.Arrays.copyOf(DATA, 1000);
    try (WriteSink w = s.create("lost-small.cairn")) {
      w.write(ByteBuffer.wrap(small));
      w.commit();
    }
    assertEquals(2, proxy.fired());
    assertArrayEquals(DATA, direct().get("lost.cairn").orElseThrow());
    assertArrayEquals(small, direct().get("lost-small.cairn").orElseThrow());
    assertEquals(List.of(), direct().partials());
  }
}
