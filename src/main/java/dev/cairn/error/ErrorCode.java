package dev.cairn.error;

/**
 * Stable error codes. The code names the class of problem; the CLI maps it to an exit code and the
 * (future) HTTP API to a status. Codes are part of the public contract: add, never rename.
 */
public enum ErrorCode {
  USAGE(2),
  CONFIG(2),
  CONNINFO(2),
  DB_CONNECT(3),
  DB_AUTH(3),
  DB_QUERY(3),
  PERMISSION_DENIED(3),
  LOCK_TIMEOUT(3),
  PG_DUMP_VERSION(4),
  PG_DUMP_FAILED(4),
  PG_RESTORE_FAILED(4),
  COPY_FAILED(3),
  REPO_WRITE(5),
  REPO_READ(5),
  BACKUP_NOT_FOUND(6),
  ARCHIVE_CORRUPT(7),
  RESTORE_TARGET_NOT_EMPTY(8),
  RESTORE_MISMATCH(8),
  RESTORE_PRECONDITION(8),
  CANCELLED(9),
  /** Another agent holds the repository's lock. */
  REPO_LOCKED(10),
  /** A backup is being restored, verified, downloaded or deleted by another job or process. */
  BACKUP_IN_USE(10),
  /** {@code cairn notify test}: a notification sink did not take the test message. */
  NOTIFY_FAILED(12),
  /** The target repository already holds a backup of that id (a copy is never replaced). */
  BACKUP_EXISTS(10),
  /** The target of a copy holds a different backup under the same id; neither is replaced. */
  BACKUP_ID_CONFLICT(10),
  /** An object store refused the credentials (unknown key, wrong secret, access denied). */
  REPO_AUTH(5),
  /** An object store's bucket does not exist. */
  REPO_NOT_FOUND(5),
  /** An object store refused a request as signed too far from its clock (RequestTimeTooSkewed). */
  REPO_CLOCK_SKEW(5),
  /** An encrypted archive and no key (or a wrong key) for any of its slots. */
  ARCHIVE_KEY(11),
  INTERNAL(1);

  private final int exitCode;

  ErrorCode(int exitCode) {
    this.exitCode = exitCode;
  }

  /** Process exit code used by the CLI for this class of error. */
  public int exitCode() {
    return exitCode;
  }
}
