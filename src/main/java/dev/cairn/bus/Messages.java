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

  /** One line per backup considered: id, keep, reasons. */
  public record RetentionDecision(String database, String backupId, boolean keep, List<String> reasons,
      boolean deleted) {}

  public record RetentionReport(Job job, List<RetentionDecision> decisions) {}

  public record JobUpdate(Job job) {}

  /** {@code database} null: all; {@code activeOnly}: queued and running jobs only. */
  public record JobsQuery(String database, boolean activeOnly, int limit) {}

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

  /** {@code what} names the chunk in errors, e.g. "table public.t part 2/4 chunk 3/9". */
  public record ReadChunk(ArchiveReader reader, ChunkRef ref, dev.cairn.archive.ChunkAad aad, RowDigest digest,
      String what, Handler<ChunkResult> done) {}

  /** Exactly one of ref (write), data (read) or error is set. */
  public record ChunkResult(ChunkRef ref, byte[] data, CairnException error) {}

  public record ScheduleQuery() {}

  public record ScheduleInfo(String database, List<String> expressions, String timezone,
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
}
