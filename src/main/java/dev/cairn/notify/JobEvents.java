package dev.cairn.notify;

import dev.cairn.jobs.Job;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Turns recorded job changes into events. The jobs verticle publishes every change, and a finished job may be
 * published more than once (a flush, a retried record): each (job, type) yields one event only.
 */
final class JobEvents {
  private static final int REMEMBERED = 2000;

  private final Links links;
  private final Set<String> seen = new LinkedHashSet<>();

  JobEvents(Links links) {
    this.links = links;
  }

  List<Event> of(Job j) {
    Optional<Event> e = translate(j);
    if (e.isEmpty() || !firstTime(j.id() + "/" + e.get().type())) {
      return List.of();
    }
    return List.of(e.get());
  }

  boolean firstTime(String key) {
    if (!seen.add(key)) {
      return false;
    }
    if (seen.size() > REMEMBERED) {
      seen.remove(seen.iterator().next());
    }
    return true;
  }

  private Optional<Event> translate(Job j) {
    Duration took = j.started() == null || j.finished() == null ? null : Duration.between(j.started(), j.finished());
    switch (j.kind()) {
      case BACKUP:
        if (j.state() == Job.State.QUEUED && "missed".equals(j.trigger())) {
          return Optional.of(event(Event.Type.BACKUP_MISSED, j, null,
              "no backup since a scheduled run (the agent was down, or this is its first start); backing up now", null));
        }
        if (j.state() == Job.State.RUNNING) {
          return Optional.of(event(Event.Type.BACKUP_STARTED, j, null, null, null));
        }
        if (j.state() == Job.State.SUCCEEDED) {
          return Optional.of(event(Event.Type.BACKUP_SUCCEEDED, j, took, null, null));
        }
        if (j.state() == Job.State.FAILED) {
          return Optional.of(event(Event.Type.BACKUP_FAILED, j, took, j.errorMessage(), j.errorCode()));
        }
        return Optional.empty();
      case VERIFY:
        if (j.state() == Job.State.FAILED) {
          return Optional.of(event(Event.Type.VERIFY_FAILED, j, took, j.errorMessage(), j.errorCode()));
        }
        return Optional.empty();
      case RETENTION:
        // the retention verticle records the number deleted as tablesDone, of tablesTotal considered
        if (j.state() == Job.State.SUCCEEDED && j.tablesDone() > 0) {
          return Optional.of(event(Event.Type.RETENTION_DELETED, j, took, j.tablesDone() + " of " + j.tablesTotal()
              + " backups deleted by the retention policy", null));
        }
        return Optional.empty();
      default:
        return Optional.empty();
    }
  }

  private Event event(Event.Type type, Job j, Duration took, String message, String code) {
    String backup = j.backupId();
    return new Event(Event.newId(), type, j.finished() != null ? j.finished() : j.started() != null ? j.started()
        : j.created(), j.database(), backup, j.id(), took, j.bytes(), code, message,
        j.errorHint() != null ? j.errorHint() : Hints.of(code),
        backup != null && j.state() == Job.State.SUCCEEDED ? links.backup(backup) : links.job(j.id()));
  }
}
