package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.jobs.Job;
import dev.cairn.jobs.JobHistory;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import dev.cairn.storage.LocalStorage;
import dev.cairn.testkit.CairnCli;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryCommandTest {
  @TempDir Path repo;

  @Test
  void aFailedJobShowsThePhaseItFailedIn() {
    Instant t0 = Instant.parse("2026-11-21T02:00:00Z");
    new JobHistory(LocalStorage.openForWrite(repo), 100).append(Job.queued(Job.Kind.RESTORE, "app", "api", t0).running(t0)
        .progress(new Progress(10, 1, 1, 1, 10, 10, Phase.BUILDING_INDEXES), t0.plusSeconds(5))
        .failed(t0.plusSeconds(9), "PG_RESTORE_FAILED", "pg_restore --section=post-data failed"));
    CairnCli.Run r = CairnCli.run("history", "--repo", repo);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("PG_RESTORE_FAILED (building indexes): pg_restore --section=post-data failed"),
        r.out());
    CairnCli.Run json = CairnCli.run("history", "--repo", repo, "--json");
    assertTrue(json.out().contains("\"phase\" : \"building-indexes\""), json.out());
  }
}
