package dev.cairn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Bus;
import dev.cairn.bus.Messages;
import dev.cairn.error.CairnException;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.WriteSink;
import dev.cairn.testkit.Mounts;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A full disk while jobs change state: nothing half-written, and the final states land once there is room. */
class JobsVerticleFullDiskTest {
  @Test
  void transitionsThatCouldNotBeRecordedAreWrittenOnceTheDiskHasRoomAgain() throws Exception {
    try (Mounts m = Mounts.tmpfs("size=64k")) {
      LocalStorage storage = LocalStorage.openForWrite(m.dir());
      JobHistory history = new JobHistory(storage, 100);
      Vertx vertx = Vertx.vertx();
      WorkerExecutor io = vertx.createSharedWorkerExecutor("test-io", 1);
      try {
        Bus.register(vertx);
        vertx.deployVerticle(new JobsVerticle(history, io, Clock.systemUTC(), 100, Duration.ofMillis(100)))
            .await(10, TimeUnit.SECONDS);
        Instant t0 = Instant.parse("2026-12-01T02:00:00Z");
        Job queued = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0);
        try (WriteSink filler = storage.create("filler")) {
          assertThrows(CairnException.class, () -> {
            for (int i = 0; i < 100; i++) {
              filler.write(ByteBuffer.allocate(4096));
            }
          }, "the file system fills up");
          send(vertx, queued);
          Job running = queued.running(t0.plusSeconds(1));
          send(vertx, running);
          send(vertx, running.withBackup("app-20261201T020001Z").succeeded(t0.plusSeconds(9)));
          flush(vertx);
          assertEquals(List.of(), history.read(), "nothing could be recorded yet");
        } // the filler is removed: room again
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (history.read().stream().noneMatch(j -> j.state() == Job.State.SUCCEEDED)) {
          assertTrue(System.nanoTime() < end, "the final state was never recorded: " + history.read());
          TimeUnit.MILLISECONDS.sleep(50);
        }
        String text = new String(storage.get(JobHistory.KEY).orElseThrow(), StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "no half-written line");
        List<String> lines = text.lines().toList();
        lines.forEach(l -> assertTrue(l.startsWith("{") && l.endsWith("}"), l));
      } finally {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    }
  }

  private static void send(Vertx vertx, Job j) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(j));
  }

  private static void flush(Vertx vertx) throws Exception {
    vertx.eventBus().request(Addresses.JOBS_FLUSH, new Messages.Flush()).await(10, TimeUnit.SECONDS);
  }
}
