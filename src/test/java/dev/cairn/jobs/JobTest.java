package dev.cairn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobTest {
  private final Instant t0 = Instant.parse("2026-11-22T02:00:00Z");

  @Test
  void percentAndEstimatedFinishFollowTheWorkDoneSoFar() {
    Job j = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0).work(250, 1000, t0.plusSeconds(10));
    assertEquals(25, j.percent());
    assertEquals(t0.plusSeconds(40), j.estimatedFinish(), "a quarter in 10 s: done after 40 s");
    JsonObject o = j.toJson();
    assertEquals(25, o.getInteger("percent"));
    assertEquals("2026-11-22T02:00:40Z", o.getString("estimatedFinish"));
    assertEquals(j, Job.fromJson(o), "the history keeps the progress fields");
  }

  @Test
  void aRunningJobNeverShowsHundredAndAFinishedOneHasNoEstimate() {
    Job j = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0).work(1000, 1000, t0.plusSeconds(5));
    assertEquals(99, j.percent());
    Job done = j.succeeded(t0.plusSeconds(6));
    assertEquals(100, done.percent());
    assertNull(done.estimatedFinish());
  }

  @Test
  void aProgressReportSetsTheTotalsAndTheWorkAsOfItsTime() {
    Job j = Job.queued(Job.Kind.RESTORE, "app", "api", t0).running(t0)
        .progress(new Progress(4096, 30, 1, 3, 4096, 16384), t0.plusSeconds(2));
    assertEquals(List.of(4096L, 30L, 1, 3, 4096L, 16384L, t0.plusSeconds(2)),
        List.of(j.bytes(), j.rows(), j.tablesDone(), j.tablesTotal(), j.workDone(), j.workTotal(), j.progressAt()));
    assertEquals(25, j.percent());
    assertEquals(t0.plusSeconds(8), j.estimatedFinish());
  }

  @Test
  void withoutAnEstimateThereIsNoPercent() {
    Job j = Job.queued(Job.Kind.RETENTION, "app", "schedule", t0).running(t0);
    assertEquals(-1, j.percent());
    assertNull(j.toJson().getValue("percent"));
  }
}
