package dev.cairn.bus;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.RowDigest;
import dev.cairn.error.CairnException;
import dev.cairn.jobs.Job;
import io.vertx.core.Handler;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/** The payloads of the event bus, local only (never serialized): see {@link Addresses}. */
public final class Messages {
  private Messages() {}

  /** {@code trigger}: "schedule", "missed", "manual" or "api". */
  public record BackupRequest(String database, String trigger) {}

  /** {@code note} says what happened to a request, e.g. "queued behind job x" or "already queued". */
  public record JobAccepted(Job job, String note) {}

  public record BackupPublished(String database, String backupId) {}

  public record RetentionRequest(String database, boolean dryRun, String trigger) {}

  /** One line per backup considered: id, keep, reasons; {@code repository}: where, when there are several. */
  public record RetentionDecision(String database, String backupId, boolean keep, List<String> reasons,
      boolean deleted, String repository) {
    public RetentionDecision(String database, String backupId, boolean keep, List<String> reasons, boolean deleted) {
      this(database, backupId, keep, reasons, deleted, null);
    }
  }

  public record RetentionReport(Job job, List<RetentionDecision> decisions) {}

  public record JobUpdate(Job job) {}

  /**
   * {@code database} null: all; {@code activeOnly}: queued and running jobs only; {@code kind}, {@code state}
   * (lowercase names) null: any; {@code before}: only jobs created before it (the next page), null: the newest.
   */
  public record JobsQuery(String database, boolean activeOnly, int limit, String kind, String state,
      java.time.Instant before) {
    public JobsQuery(String database, boolean activeOnly, int limit) {
      this(database, activeOnly, limit, null, null, null);
    }
  }

  /** One log line of a job, without its "[job id]" tag. */
  public record JobLogLine(String jobId, java.time.Instant at, String level, String message) {}

  /** A job and its kept log lines (oldest first); {@code log} empty when none were kept. */
  public record JobDetail(Job job, List<JobLogLine> log) {}

  public record JobDetailQuery(String jobId) {}

  /** {@code nextRun}: when the next backup is due (null: none scheduled), to tell what it will push out. */
  public record RetentionPreviewRequest(String database, java.time.Instant nextRun) {}

  /** Decisions now, and what a backup at {@code nextRun} would make retention delete. */
  public record RetentionPreview(String database, String policy, String zone, List<RetentionDecision> now,
      java.time.Instant nextRun, List<RetentionDecision> afterNext) {}

  public record JobList(List<Job> jobs) {
    /** Backup ids used by running jobs (verify, restore, download), with the job using each. */
    public Map<String, String> inUse() {
      java.util.Map<String, String> m = new java.util.HashMap<>();
      for (Job j : jobs) {
        if (j.state() == Job.State.RUNNING && j.backupId() != null && j.kind() != Job.Kind.BACKUP) {
          m.put(j.backupId(), j.id());
        }
      }
      return m;
    }
  }

  public record CancelJob(String jobId) {}

  public record Flush() {}

  public record Flushed() {}

  public record Shutdown(String reason) {}

  public record ShutdownDone(int cancelled) {}

  /**
   * {@code digest} (may be null) is fed the raw bytes first; one chunk of a stream at a time, so a
   * digest is never shared by two workers. The compressor answers through {@code done}, not a bus reply:
   * a request's reply timer would keep every chunk's bytes reachable until it expired.
   */
  public record WriteChunk(ArchiveWriter writer, int kind, byte[] data, int length, RowDigest digest,
      dev.cairn.archive.ChunkAad aad, Handler<ChunkResult> done) {}

  /**
   * {@code what} names the chunk in errors, e.g. "table public.t part 2/4 chunk 3/9". {@code into}: null, or
   * an array of at least the chunk's raw length to decode into (the result's data is then that array).
   */
  public record ReadChunk(ArchiveReader reader, ChunkRef ref, dev.cairn.archive.ChunkAad aad, RowDigest digest,
      String what, byte[] into, Handler<ChunkResult> done) {}

  /** Exactly one of ref (write), data (read) or error is set. */
  public record ChunkResult(ChunkRef ref, byte[] data, CairnException error) {}

  public record ScheduleQuery() {}

  /** A schedule of a database: of its backups, its verifies or its restore tests ({@code kind}: the jobs'). */
  public record ScheduleInfo(String database, dev.cairn.jobs.Job.Kind kind, List<String> expressions, String timezone,
      List<ZonedDateTime> nextRuns) {}

  public record ScheduleList(List<ScheduleInfo> schedules) {}

  /** Verify backup {@code backupId}; one verify per backup at a time (a second request gets the running job). */
  public record VerifyRequest(String backupId, String trigger) {}

  public record VerifyLatest(String database, String trigger) {}

  /**
   * Restore {@code backupId} into {@code database} (a configured database: its own connection) or into
   * {@code spec} (any connection); exactly one of the two is set. {@code tables} empty: all. {@code clean}
   * drops and recreates the target; {@code create} creates it; {@code globals} creates the backup's roles
   * and tablespaces the target lacks first. One restore per target at a time.
   */
  public record RestoreRequest(String backupId, String database, dev.cairn.conn.ConnSpec spec, List<String> tables,
      boolean create, boolean clean, boolean globals, String trigger) {}

  /** A notification delivered to (or given up for) sink {@code sink} of kind {@code kind}: counted in metrics. */
  public record NotificationOutcome(String sink, String kind, boolean delivered) {}

  /** Send a test message to every sink, or to {@code sink} only (null: all). */
  public record NotifyTest(String sink) {}

  /** One line per sink: {@code error} null when delivered. */
  public record NotifyTestResult(String sink, String kind, boolean delivered, String error) {}

  public record NotifyTestReport(List<NotifyTestResult> results) {}
  /** Restore-test backup {@code backupId} as its database's {@code restore_test} says; one test per database at a time. */
  public record RestoreTestRequest(String backupId, String trigger) {}

  /** Restore-test the newest good backup of {@code database} (its {@code restore_test.schedule}). */
  public record RestoreTestLatest(String database, String trigger) {}

  /**
   * Published when a restore test ends, passed or not (for notifications, health, metrics). {@code duration}:
   * the whole test; {@code restoreTime}: the restore alone (the measured recovery time); {@code checked}: what
   * was proven; {@code errorCode}, {@code errorMessage}, {@code hint}: why it failed (null when it passed).
   */
  public record RestoreTestFinished(String database, String backupId, String jobId, boolean passed,
      java.time.Instant finished, java.time.Duration duration, java.time.Duration restoreTime, List<String> checked,
      String errorCode, String errorMessage, String hint) {}

  /**
   * Copy backup {@code backupId} from repository {@code from} (null: the first repository of its database) to
   * repository {@code to}, as a copy job with retries. A request for a copy already queued or running gets that job.
   */
  public record CopyRequest(String backupId, String from, String to, String trigger) {}

  public record BackupCopied(String database, String backupId, String repository) {}

  public record CopyStatusQuery() {}

  /**
   * The copies into one repository since the agent started: the last attempt's time and error (null when it
   * succeeded), the last success (also from the repository's copy records), and whether the last copy job failed
   * after all its attempts.
   */
  public record CopyStatus(String repository, java.time.Instant lastAttempt, java.time.Instant lastSuccess,
      String lastError, boolean failing) {}

  public record CopyStatusList(List<CopyStatus> repositories) {}
}
