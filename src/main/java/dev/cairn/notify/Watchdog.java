package dev.cairn.notify;

import dev.cairn.http.Health;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The checks nobody asks for: a database with no good backup within {@code max_age} (a dead-man's switch:
 * nothing has to fail for it to fire), a backup running past {@code slow_after}, a repository that cannot be
 * listed or is nearly full. Lasting conditions alert once and once more when they clear ({@link Conditions}).
 * Confined to the notify verticle's context; the repository is read on the notify pool.
 */
final class Watchdog {
  /** Below this much free space, or twice the newest backup's size, the repository is nearly full. */
  static final long MIN_FREE_BYTES = 256L << 20;

  private final Repository repo;
  private final java.util.function.Supplier<List<Backups.Entry>> backups;
  private final WorkerExecutor pool;
  private final Map<String, Duration> maxAge;
  private final Map<String, Duration> slowAfter;
  private final Clock clock;
  private final Instant since;
  private final Conditions conditions;
  private final JobEvents jobEvents;
  private final Links links;
  private final Consumer<Event> out;
  private final Map<String, Job> running = new HashMap<>();

  private record Reading(List<Backups.Entry> backups, OptionalLong free) {}

  /** {@code repo}: its free space is watched; {@code backups}: every database's, for staleness (blocking). */
  Watchdog(Repository repo, java.util.function.Supplier<List<Backups.Entry>> backups, WorkerExecutor pool,
      Map<String, Duration> maxAge, Map<String, Duration> slowAfter, Clock clock, Conditions conditions,
      JobEvents jobEvents, Links links, Consumer<Event> out) {
    this.repo = repo;
    this.backups = backups;
    this.pool = pool;
    this.maxAge = maxAge;
    this.slowAfter = slowAfter;
    this.clock = clock;
    this.since = clock.instant();
    this.conditions = conditions;
    this.jobEvents = jobEvents;
    this.links = links;
    this.out = out;
  }

  /** Tracks running backups for {@link #check}; a finished one over slow_after is reported slow too. */
  void onJob(Job j) {
    if (j.kind() != Job.Kind.BACKUP) {
      return;
    }
    if (j.state() == Job.State.RUNNING) {
      running.put(j.id(), j);
    } else if (j.state().done()) {
      running.remove(j.id());
      if (j.started() != null && j.finished() != null) {
        slow(j, Duration.between(j.started(), j.finished()), "took");
      }
    }
  }

  /** One round of checks; true when a lasting condition changed (the caller saves them). */
  Future<Boolean> check() {
    Instant now = clock.instant();
    for (Job j : List.copyOf(running.values())) {
      slow(j, Duration.between(j.started(), now), "has been running for");
    }
    return pool.executeBlocking(() -> new Reading(backups.get(), repo.storage().freeSpace()), false)
        .map(r -> {
          boolean changed = storage(null, r, now);
          return stale(r.backups(), now) | changed;
        })
        .recover(e -> Future.succeededFuture(storage(e, null, now)));
  }

  private void slow(Job j, Duration took, String verb) {
    Duration limit = slowAfter.get(j.database());
    if (limit == null || took.compareTo(limit) <= 0 || !jobEvents.firstTime(j.id() + "/slow")) {
      return;
    }
    out.accept(new Event(Event.newId(), Event.Type.BACKUP_SLOW, clock.instant(), j.database(), j.backupId(), j.id(),
        took, j.bytes(), null, "backup job " + j.id() + " " + verb + " " + Text.duration(took) + ", more than slow_after "
            + Text.duration(limit), "find what slows it (locks, load, network) or raise slow_after", links.job(j.id())));
  }

  private boolean storage(Throwable error, Reading r, Instant now) {
    String where = repo.location();
    boolean changed = false;
    if (conditions.change("storage/unreachable", error != null)) {
      changed = true;
      out.accept(error != null
          ? event(Event.Type.STORAGE_UNREACHABLE, now, null, "cannot list repository " + where + ": " + error.getMessage(),
              "check that the repository is mounted, reachable and readable by the agent")
          : event(Event.Type.STORAGE_RECOVERED, now, null, "repository " + where + " can be listed again", null));
    }
    if (r == null || r.free().isEmpty()) {
      return changed;
    }
    long newest = r.backups().stream().filter(Backups.Entry::good).mapToLong(Backups.Entry::bytes).findFirst().orElse(0);
    long need = Math.max(MIN_FREE_BYTES, 2 * newest);
    long free = r.free().getAsLong();
    if (conditions.change("storage/low", free < need)) {
      changed = true;
      out.accept(free < need
          ? event(Event.Type.STORAGE_LOW, now, null, "repository " + where + " has " + Text.size(free) + " free, less than "
              + Text.size(need) + (newest > 0 ? " (twice the newest backup)" : ""),
              "free space or move the repository before the next backup fails")
          : event(Event.Type.STORAGE_RECOVERED, now, null, "repository " + where + " has " + Text.size(free)
              + " free again", null));
    }
    return changed;
  }

  private boolean stale(List<Backups.Entry> backups, Instant now) {
    boolean changed = false;
    for (Object o : Health.evaluate(backups, maxAge, now).json().getJsonArray("databases")) {
      JsonObject d = (JsonObject) o;
      String db = d.getString("database");
      boolean ok = d.getBoolean("ok");
      // a database never backed up is stale only once the agent has had max_age to back it up
      if (!ok && d.getString("lastBackup") == null && now.isBefore(since.plus(maxAge.get(db)))) {
        continue;
      }
      if (conditions.change("stale/" + db, !ok)) {
        changed = true;
        out.accept(!ok
            ? event(Event.Type.DATABASE_STALE, now, db, d.getString("reason"),
                "look at the last backup jobs of " + db + "; the agent may be failing or not running its schedule")
            : new Event(Event.newId(), Event.Type.DATABASE_RECOVERED, now, db, d.getString("lastBackup"), null, null,
                0, null, "newest good backup " + d.getString("lastBackup") + " finished at "
                    + d.getString("lastBackupFinished"), null, links.backup(d.getString("lastBackup"))));
      }
    }
    return changed;
  }

  private Event event(Event.Type type, Instant now, String db, String message, String hint) {
    return new Event(Event.newId(), type, now, db, null, null, null, 0, null, message, hint, links.home());
  }
}
