package dev.cairn.bus;

/**
 * Every event-bus address of the agent. Point-to-point addresses take a request and reply; published
 * ones are events with any number of listeners. Payloads are the records in {@link Messages}.
 */
public final class Addresses {
  private Addresses() {}

  /** {@link Messages.BackupRequest} -> {@link Messages.JobAccepted}: start (or queue) a backup. */
  public static final String BACKUP_REQUEST = "cairn.backup.request";
  /** Published {@link Messages.BackupPublished}: a backup archive was published. */
  public static final String BACKUP_PUBLISHED = "cairn.backup.published";
  /** {@link Messages.RetentionRequest} -> {@link Messages.RetentionReport}. */
  public static final String RETENTION_RUN = "cairn.retention.run";
  /** {@link Messages.JobUpdate}: a job's new state, sent by whoever runs it to the jobs verticle. */
  public static final String JOB_UPDATE = "cairn.job.update";
  /** Published {@link Messages.JobUpdate}: every recorded job change. */
  public static final String JOB_EVENTS = "cairn.job.events";
  /** A log line naming a job (JobLogLine), kept by the jobs verticle for the job's detail. */
  public static final String JOB_LOG = "cairn.job.log";
  /** {@link Messages.JobDetailQuery} -> {@link Messages.JobDetail}; fails 404 for a job not held. */
  public static final String JOB_DETAIL = "cairn.jobs.detail";
  /** What retention would delete now and after the next backup (RetentionPreviewRequest). */
  public static final String RETENTION_PREVIEW = "cairn.retention.preview";
  /** {@link Messages.JobsQuery} -> {@link Messages.JobList}. */
  public static final String JOBS_QUERY = "cairn.jobs.query";
  /** {@link Messages.Flush} -> {@link Messages.Flushed}: replies once every recorded change is on disk. */
  public static final String JOBS_FLUSH = "cairn.jobs.flush";
  /**
   * {@link Messages.CancelJob} -> {@link Messages.JobAccepted}: cancel a queued or running backup. Fails with
   * 404 when no backup job of that id is queued or running.
   */
  public static final String BACKUP_CANCEL = "cairn.backup.cancel";
  /** {@link Messages.Shutdown} -> {@link Messages.ShutdownDone}: stop taking jobs and cancel running ones. */
  public static final String DUMPER_SHUTDOWN = "cairn.dumper.shutdown";
  /** {@link Messages.WriteChunk} -> {@link Messages.ChunkResult}: digest, compress, checksum, write. */
  public static final String CHUNK_WRITE = "cairn.compress.write";
  /** {@link Messages.ReadChunk} -> {@link Messages.ChunkResult}: read, check, decompress, digest. */
  public static final String CHUNK_READ = "cairn.compress.read";
  /** {@link Messages.ScheduleQuery} -> {@link Messages.ScheduleList}. */
  public static final String SCHEDULES_QUERY = "cairn.schedules.query";
  /** {@link Messages.VerifyRequest} -> {@link Messages.JobAccepted}: verify an archive as a job. */
  public static final String VERIFY_REQUEST = "cairn.verify.request";
  /** Verify the newest good backup of a database (its {@code verify_schedule}): {@code Messages.VerifyLatest}. */
  public static final String VERIFY_LATEST = "cairn.verify.latest";
  /**
   * {@link Messages.CancelJob} -> {@link Messages.JobAccepted}: cancel a running verify (no chunk read starts
   * after it; the job ends cancelled). Fails with 404 when no verify job of that id runs.
   */
  public static final String VERIFY_CANCEL = "cairn.verify.cancel";
  /** {@link Messages.RestoreRequest} -> {@link Messages.JobAccepted}: restore an archive as a job. */
  public static final String RESTORE_REQUEST = "cairn.restore.request";
  /**
   * {@link Messages.CancelJob} -> {@link Messages.JobAccepted}: cancel a running restore (pg_restore stopped,
   * COPYs cancelled on the server; the job ends cancelled, the target left partially restored). Fails with
   * 404 when no restore job of that id runs.
   */
  public static final String RESTORE_CANCEL = "cairn.restore.cancel";

  /** Published {@link Messages.NotificationOutcome}: one per notification delivered or given up. */
  public static final String NOTIFY_OUTCOME = "cairn.notify.outcome";
  /**
   * {@link Messages.NotifyTest} -> {@link Messages.NotifyTestReport}: send a test message to the configured sinks
   * (once each, no retry) and report each one's outcome. Fails with 404 when the named sink is not configured.
   */
  public static final String NOTIFY_TEST = "cairn.notify.test";
  /** {@link Messages.RestoreTestRequest} -> {@link Messages.JobAccepted}: restore-test a backup as a job (kind test). */
  public static final String RESTORE_TEST_REQUEST = "cairn.restoretest.request";
  /** Restore-test the newest good backup of a database (its {@code restore_test.schedule}): {@link Messages.RestoreTestLatest}. */
  public static final String RESTORE_TEST_LATEST = "cairn.restoretest.latest";
  /** {@link Messages.CancelJob} -> {@link Messages.JobAccepted}: cancel a running restore test. */
  public static final String RESTORE_TEST_CANCEL = "cairn.restoretest.cancel";
  /** Published {@link Messages.RestoreTestFinished}: a restore test ended, passed or failed. */
  public static final String RESTORE_TEST_FINISHED = "cairn.restoretest.finished";
  /** {@link Messages.CopyRequest} -> {@link Messages.JobAccepted}: copy a backup to another repository as a job. */
  public static final String COPY_REQUEST = "cairn.copy.request";
  /**
   * {@link Messages.CancelJob} -> {@link Messages.JobAccepted}: cancel a queued or running copy (nothing is left
   * in the target). Fails with 404 when no copy job of that id is queued or running.
   */
  public static final String COPY_CANCEL = "cairn.copy.cancel";
  /** Published {@link Messages.BackupCopied}: a copy was checked and published in its target repository. */
  public static final String BACKUP_COPIED = "cairn.backup.copied";
  /** {@link Messages.CopyStatusQuery} -> {@link Messages.CopyStatusList}: the last copy into each repository. */
  public static final String COPY_STATUS = "cairn.copy.status";
  /** {@link Messages.Shutdown} -> {@link Messages.ShutdownDone}: cancel every copy job and answer once all ended. */
  public static final String COPY_SHUTDOWN = "cairn.copy.shutdown";
  /**
   * {@link Messages.Flush} -> {@link Messages.Flushed}: answers once the retention run under way (and those queued)
   * ended, so that stopping the agent never cuts off the retention of the last backup.
   */
  public static final String RETENTION_DRAIN = "cairn.retention.drain";
  /**
   * Any message -> a {@code JsonObject} {@code {ok, clusters:[...]}}: the point-in-time recovery of each configured
   * cluster as the PITR verticle last saw it (window, lag, gaps, base backups, restore test), from memory.
   */
  public static final String PITR_QUERY = "cairn.pitr.query";
  /**
   * A cluster's name (String) -> a {@code JsonObject} {@code {cluster, started}}: run the cluster's PITR restore test
   * now; its result comes with the next {@link #PITR_QUERY} answers. Fails with 404 (no such cluster) or 409 (one
   * runs).
   */
  public static final String PITR_TEST = "cairn.pitr.test";
  /**
   * Any message -> a {@code JsonObject} {@code {schedules:[{cluster, cron, timezone, nextRuns, lastTest, running}]}}:
   * the restore-test schedule of each cluster that has one, its next five runs, its last test as {@link #PITR_QUERY}
   * answers it (or null) and whether one runs now.
   */
  public static final String PITR_SCHEDULES = "cairn.pitr.schedules";
}
