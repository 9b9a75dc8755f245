package dev.cairn.jobs;

import dev.cairn.storage.LocalStorage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobHistoryTest {
  @TempDir Path repo;
  private final Instant t0 = Instant.parse("2026-11-21T02:00:00Z");

  @Test
  void latestStateOfEachJobIsReadBackAfterARestart() {
    JobHistory h = new JobHistory(LocalStorage.openForWrite(repo), 100);
    Job a = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0);
    h.append(a);
    h.append(a.running(t0.plusSeconds(1)));
    h.append(a.running(t0.plusSeconds(1)).withBackup("app-20261121T020001Z").succeeded(t0.plusSeconds(9)));
    List<Job> read = new JobHistory(LocalStorage.openForWrite(repo), 100).read();
    assertEquals(1, read.size());
    assertEquals(Job.State.SUCCEEDED, read.get(0).state());
    assertEquals("app-20261121T020001Z", read.get(0).backupId());
  }

  @Test
  void aFailedJobKeepsThePhaseItFailedInAfterARestart() {
    JobHistory h = new JobHistory(LocalStorage.openForWrite(repo), 100);
    Job a = Job.queued(Job.Kind.RESTORE, "app", "api", t0).running(t0)
        .progress(new Progress(10, 1, 1, 1, 10, 10, Phase.BUILDING_INDEXES), t0.plusSeconds(5));
    h.append(a.failed(t0.plusSeconds(9), "PG_RESTORE_FAILED", "pg_restore --section=post-data failed"));
    Job read = new JobHistory(LocalStorage.openForWrite(repo), 100).read().get(0);
    assertEquals(Phase.BUILDING_INDEXES, read.phase());
    assertEquals(t0.plusSeconds(5), read.phaseStarted());
  }

  @Test
  void aFinishedJobsLogLinesHintAndPartsSurviveARestartAndACompaction() {
    Job a = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0)
        .progress(new Progress(10, 1, 0, 3, 10, 90, Phase.COPYING, 4, 29), t0.plusSeconds(2));
    List<dev.cairn.bus.Messages.JobLogLine> log = List.of(new dev.cairn.bus.Messages.JobLogLine(a.id(), t0, "INFO",
        "backup of app (server 15.8)"), new dev.cairn.bus.Messages.JobLogLine(a.id(), t0.plusSeconds(3), "WARNING",
        "backup of app failed: DB_CONNECT"));
    JobHistory fresh = new JobHistory(LocalStorage.openForWrite(repo), 10);
    fresh.append(a.failed(t0.plusSeconds(3), new dev.cairn.error.CairnException(dev.cairn.error.ErrorCode.DB_CONNECT,
        "cannot connect to app", "is the server running?")), log);
    for (int i = 1; i <= 25; i++) { // past twice the limit: rewritten with the newest 10 jobs, the failed one first
      Job later = Job.queued(Job.Kind.VERIFY, "app", "api", t0.minusSeconds(i));
      fresh.append(later.running(t0.minusSeconds(i)).succeeded(t0.minusSeconds(i)));
    }
    JobHistory read = new JobHistory(LocalStorage.openForWrite(repo), 10);
    assertTrue(read.read().size() < 26, "compacted: " + read.read().size());
    Job back = read.read().stream().filter(j -> j.id().equals(a.id())).findFirst().orElseThrow();
    assertEquals("is the server running?", back.errorHint());
    assertEquals(4, back.partsDone());
    assertEquals(29, back.partsTotal());
    assertEquals(log, read.logs().get(a.id()), "kept through the rewrite");
  }

  @Test
  void jobsLeftRunningByACrashAreRecordedAsFailedWithTheReason() {
    JobHistory h = new JobHistory(LocalStorage.openForWrite(repo), 100);
    Job a = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0);
    h.append(a);
    List<Job> stale = new JobHistory(LocalStorage.openForWrite(repo), 100).recoverInterrupted(t0.plusSeconds(60));
    assertEquals(1, stale.size());
    Job after = new JobHistory(LocalStorage.openForWrite(repo), 100).read().get(0);
    assertEquals(Job.State.FAILED, after.state());
    assertTrue(after.errorMessage().contains("kill -9"), after.errorMessage());
  }

  @Test
  void aLineCutShortByACrashIsSkipped() throws Exception {
    JobHistory h = new JobHistory(LocalStorage.openForWrite(repo), 100);
    h.append(Job.queued(Job.Kind.BACKUP, "app", "manual", t0));
    Files.writeString(repo.resolve(JobHistory.KEY), "{\"id\":\"j-x\",\"kind\":\"bac", StandardOpenOption.APPEND);
    assertEquals(1, new JobHistory(LocalStorage.openForWrite(repo), 100).read().size());
  }

  @Test
  void historyIsBoundedToTheNewestJobs() throws Exception {
    JobHistory h = new JobHistory(LocalStorage.openForWrite(repo), 10);
    for (int i = 0; i < 50; i++) {
      h.append(Job.queued(Job.Kind.BACKUP, "db" + i, "schedule", t0.plusSeconds(i)).succeeded(t0.plusSeconds(i)));
    }
    List<Job> read = h.read();
    assertTrue(read.size() <= 20, "history must be bounded, has " + read.size());
    assertEquals("db49", read.get(read.size() - 1).database());
    assertTrue(Files.readAllLines(repo.resolve(JobHistory.KEY)).size() <= 20);
  }
}
