package dev.cairn.retention;

import java.time.Instant;
import java.util.Objects;

/**
 * What retention needs to know of one backup.
 *
 * @param id the backup id; only used to name the backup and to break ties between equal times
 * @param database the database it is a backup of (null when unknown, e.g. a damaged archive)
 * @param recorded when the backup finished (the manifest's finish time); the only ordering used
 * @param good a complete archive whose manifest reads; false for damaged or unfinished archives
 */
public record BackupInfo(String id, String database, Instant recorded, boolean good) {
  public BackupInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(recorded, "recorded time of backup " + id);
  }
}
