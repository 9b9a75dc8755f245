package dev.cairn.notify;

import java.util.Map;

/** What an operator usually does about an error code, for jobs that recorded the code without a hint. */
final class Hints {
  private Hints() {}

  private static final Map<String, String> BY_CODE = Map.ofEntries(
      Map.entry("DB_CONNECT", "check that the server is up and reachable from the agent, and databases[].url"),
      Map.entry("DB_AUTH", "check the user and password of databases[].url (or ~/.pgpass)"),
      Map.entry("PERMISSION_DENIED", "grant the backup user read access (e.g. pg_read_all_data)"),
      Map.entry("LOCK_TIMEOUT", "a session held a conflicting lock: run the backup outside DDL windows or raise lock_timeout"),
      Map.entry("PG_DUMP_VERSION", "install a pg_dump at least as new as the server, or set pg_bin"),
      Map.entry("PG_DUMP_FAILED", "read the agent log for pg_dump's error"),
      Map.entry("COPY_FAILED", "read the agent log for the table and SQLSTATE"),
      Map.entry("REPO_WRITE", "check free space and permissions of the repository"),
      Map.entry("REPO_READ", "check that the repository is mounted and readable"),
      Map.entry("ARCHIVE_CORRUPT", "the archive is damaged: take a new backup and check the storage"),
      Map.entry("RESTORE_MISMATCH", "the restored content differs from the backup: do not rely on this backup"),
      Map.entry("TIMEOUT", "raise backup_timeout or find what slows the backup (locks, load, network)"));

  /** The hint for a code, or null. */
  static String of(String code) {
    return code == null ? null : BY_CODE.get(code);
  }
}
