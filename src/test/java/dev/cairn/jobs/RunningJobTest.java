package dev.cairn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A running job's progress on real Vert.x timers: news at once, the rest throttled, nothing after the end. */
class RunningJobTest {
  private final Vertx vertx = Vertx.vertx();
  private final io.vertx.core.Context context = vertx.getOrCreateContext();
  private final List<Job> sent = new CopyOnWriteArrayList<>();
  private final RunningJob<String> run = new RunningJob<>(Job.queued(Job.Kind.RESTORE, "app", "test",
      Instant.now()).running(Instant.now()), "the worker", vertx, Clock.systemUTC(), sent::add);

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static Progress copied(long bytes) {
    return new Progress(bytes, bytes / 10, 0, 2, bytes, 1000, Phase.COPYING);
  }

  /** Runs {@code r} on one Vert.x context, as a verticle would, and waits until it ran. */
  private void onContext(Runnable r) throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    context.runOnContext(v -> {
      r.run();
      ran.countDown();
    });
    assertTrue(ran.await(10, TimeUnit.SECONDS));
  }

  private void waitForSent(int n) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (sent.size() < n && System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
  }

  @Test
  void aNewPhaseGoesOutAtOnceTheLatestOfASecondsReportsAfterItAndNothingAfterTheEnd() throws Exception {
    onContext(() -> {
      run.progress(copied(100));
      run.progress(copied(200));
      run.progress(copied(300));
    });
    waitForSent(3);
    assertEquals(List.of(100L, 200L, 300L), sent.stream().map(Job::bytes).toList(),
        "a new phase at once, the first ordinary report too, then the latest one when the interval is over");
    assertEquals(300, run.job().bytes());

    onContext(() -> {
      run.progress(copied(400)); // within the interval of the last send: planned for later
      run.end();
      run.progress(new Progress(500, 50, 2, 2, 1000, 1000, Phase.BUILDING_INDEXES));
    });
    TimeUnit.MILLISECONDS.sleep(1500); // past the planned send: it must not happen
    assertEquals(3, sent.size(), "no progress after the end: " + sent);
    assertEquals(400, run.job().bytes(), "the job keeps the last report taken before the end");
    assertEquals("the worker", run.worker());
  }

  @Test
  void aCancelRequestIsRemembered() {
    assertFalse(run.cancelRequested());
    run.requestCancel();
    assertTrue(run.cancelRequested());
  }
}
