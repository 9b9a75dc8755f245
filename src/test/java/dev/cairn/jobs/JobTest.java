package dev.cairn.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class JobTest {
  private final Instant t0 = Instant.parse("2026-11-22T02:00:00Z");

  /** Regression (issue 9): under tr-TR the console read "runnıng" and the history could not be read back. */
  @Test
  void statesAndKindsRenderAndParseTheSameUnderATurkishDefaultLocale() {
    Locale before = Locale.getDefault();
    Locale.setDefault(new Locale("tr", "TR"));
    try {
      Job j = Job.queued(Job.Kind.VERIFY, "app", "api", t0).running(t0);
      JsonObject o = j.toJson();
      assertEquals("running", o.getString("state"));
      assertEquals("verify", o.getString("kind"));
      assertEquals(j, Job.fromJson(o), "the history reads back what it wrote");
      Job done = j.failed(t0.plusSeconds(1), "ARCHIVE_CORRUPT", "damaged");
      assertEquals(done, Job.fromJson(new JsonObject(done.toJson().encode())));
    } finally {
      Locale.setDefault(before);
    }
  }

  @Test
  void percentAndEstimatedFinishFollowTheWorkDoneSoFar() {
    Job j = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0)
        .progress(new Progress(0, 0, 0, 4, 0, 1000, Phase.COPYING), t0)
        .progress(new Progress(0, 0, 0, 4, 250, 1000, Phase.COPYING), t0.plusSeconds(10));
    assertEquals(25, j.percent());
    assertEquals(t0.plusSeconds(40), j.estimatedFinish(), "a quarter in 10 s: done after 40 s");
    JsonObject o = j.toJson();
    assertEquals(25, o.getInteger("percent"));
    assertEquals("2026-11-22T02:00:40Z", o.getString("estimatedFinish"));
    assertEquals(j, Job.fromJson(o), "the history keeps the progress fields");
  }

  @Test
  void theEstimateRunsFromTheStartOfTheMeasuredPhaseNotOfTheJob() {
    Job j = Job.queued(Job.Kind.RESTORE, "app", "api", t0).running(t0)
        .progress(new Progress(0, 0, 0, 0, 0, 0, Phase.PRE_DATA), t0)
        .progress(new Progress(0, 0, 0, 4, 0, 1000, Phase.COPYING), t0.plusSeconds(30))
        .progress(new Progress(250, 9, 1, 4, 250, 1000, Phase.COPYING), t0.plusSeconds(40));
    assertEquals(t0.plusSeconds(30), j.phaseStarted(), "a report in the same phase keeps its start");
    assertEquals(t0.plusSeconds(70), j.estimatedFinish(), "a quarter in the 10 s of copying: 30 s more, not 120");
  }

  @Test
  void anUnmeasuredPhaseHasNoPercentAndNoEstimateButItsLabelAndStart() {
    Job j = Job.queued(Job.Kind.RESTORE, "app", "api", t0).running(t0)
        .progress(new Progress(1000, 9, 4, 4, 1000, 1000, Phase.COPYING), t0.plusSeconds(10))
        .progress(new Progress(1000, 9, 4, 4, 1000, 1000, Phase.BUILDING_INDEXES), t0.plusSeconds(11));
    assertEquals(-1, j.percent(), "not 99 %: nobody knows how far the index builds are");
    assertNull(j.estimatedFinish(), "no \"done in ~0 s\" while indexes are built");
    JsonObject o = j.toJson();
    assertNull(o.getValue("percent"));
    assertNull(o.getValue("estimatedFinish"));
    assertEquals("building-indexes", o.getString("phase"));
    assertEquals("building indexes", o.getString("phaseLabel"));
    assertEquals("2026-11-22T02:00:11Z", o.getString("phaseStarted"));
    Job failed = Job.fromJson(o).failed(t0.plusSeconds(20), "PG_RESTORE_FAILED", "pg_restore failed");
    assertEquals(Phase.BUILDING_INDEXES, Job.fromJson(failed.toJson()).phase(), "the history says where it failed");
    assertEquals(100, j.succeeded(t0.plusSeconds(30)).percent());
  }

  @Test
  void historyWithoutPhasesOrWithAnUnknownOneStillReads() {
    JsonObject o = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0).toJson();
    o.remove("phase");
    assertNull(Job.fromJson(o).phase());
    assertNull(Job.fromJson(o.put("phase", "defragmenting")).phase());
  }

  @Test
  void aRunningJobNeverShowsHundredAndAFinishedOneHasNoEstimate() {
    Job j = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0)
        .progress(new Progress(0, 0, 0, 1, 0, 1000, Phase.COPYING), t0)
        .progress(new Progress(0, 0, 0, 1, 1000, 1000, Phase.COPYING), t0.plusSeconds(5));
    assertEquals(99, j.percent());
    Job done = j.succeeded(t0.plusSeconds(6));
    assertEquals(100, done.percent());
    assertNull(done.estimatedFinish());
  }

  @Test
  void aProgressReportSetsTheTotalsAndTheWorkAsOfItsTime() {
    Job j = Job.queued(Job.Kind.RESTORE, "app", "api", t0).running(t0)
        .progress(new Progress(0, 0, 0, 3, 0, 16384, Phase.COPYING), t0)
        .progress(new Progress(4096, 30, 1, 3, 4096, 16384, Phase.COPYING), t0.plusSeconds(2));
    assertEquals(List.of(4096L, 30L, 1, 3, 4096L, 16384L, t0.plusSeconds(2)),
        List.of(j.bytes(), j.rows(), j.tablesDone(), j.tablesTotal(), j.workDone(), j.workTotal(), j.progressAt()));
    assertEquals(25, j.percent());
    assertEquals(t0.plusSeconds(8), j.estimatedFinish());
    assertNull(j.progress(new Progress(4096, 30, 1, 3, 4096, 16384, Phase.READING), t0.plusSeconds(3))
        .estimatedFinish(), "a phase that has just started has no rate yet, so no estimate (not ~0 s)");
  }

  @Test
  void withoutAnEstimateThereIsNoPercent() {
    Job j = Job.queued(Job.Kind.RETENTION, "app", "schedule", t0).running(t0);
    assertEquals(-1, j.percent());
    assertNull(j.toJson().getValue("percent"));
  }
}
