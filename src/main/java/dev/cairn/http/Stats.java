package dev.cairn.http;

import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** GET /api/v1/stats: what the repository holds and how backups went in the last 24 hours and 7 days. Pure. */
final class Stats {
  private Stats() {}

  static JsonObject compute(List<Job> jobs, List<Backups.Entry> backups, Instant now) {
    long bytes = 0;
    int damaged = 0;
    int failed = 0;
    Map<String, JsonObject> perDb = new TreeMap<>();
    for (Backups.Entry e : backups) {
      bytes += e.bytes();
      damaged += e.readable() ? 0 : 1;
      failed += e.readable() && !e.good() ? 1 : 0;
      JsonObject d = perDb.computeIfAbsent(e.name(), n -> new JsonObject().put("count", 0).put("bytes", 0L));
      d.put("count", d.getInteger("count") + 1).put("bytes", d.getLong("bytes") + e.bytes());
      if (e.good() && !d.containsKey("newest")) {
        d.put("newest", e.id()).put("newestFinished", e.summary().finished().toString()); // list is newest first
      }
    }
    JsonObject repo = new JsonObject().put("count", backups.size()).put("damaged", damaged).put("failed", failed).put("bytes", bytes)
        .put("databases", new JsonObject(new TreeMap<>(perDb))).put("usage", usage(backups));
    return new JsonObject().put("backups", repo)
        .put("last24h", window(jobs, now.minus(Duration.ofHours(24))))
        .put("last7d", window(jobs, now.minus(Duration.ofDays(7))));
  }

  /**
   * The repository's size over time, as the catalog tells it: after each backup still held, the bytes of
   * the backups held then ({@code at}, {@code bytes}, oldest first). Deleted backups are not in the catalog,
   * so this is the growth of what is kept, not of what was ever written.
   */
  static io.vertx.core.json.JsonArray usage(List<Backups.Entry> backups) {
    List<Backups.Entry> dated = backups.stream().filter(Backups.Entry::readable)
        .sorted(java.util.Comparator.comparing(e -> e.summary().finished())).toList();
    io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
    long total = 0;
    for (Backups.Entry e : dated) {
      total += e.bytes();
      out.add(new JsonObject().put("at", e.summary().finished().toString()).put("bytes", total));
    }
    return out;
  }

  /** Backup jobs that finished since {@code from}. */
  private static JsonObject window(List<Job> jobs, Instant from) {
    int succeeded = 0;
    int failed = 0;
    int cancelled = 0;
    long millis = 0;
    long bytes = 0;
    for (Job j : jobs) {
      if (j.kind() != Job.Kind.BACKUP || !j.state().done() || j.finished() == null || j.finished().isBefore(from)) {
        continue;
      }
      switch (j.state()) {
        case SUCCEEDED -> {
          succeeded++;
          bytes += j.bytes();
          millis += j.started() == null ? 0 : Duration.between(j.started(), j.finished()).toMillis();
        }
        case FAILED -> failed++;
        default -> cancelled++;
      }
    }
    int total = succeeded + failed + cancelled;
    return new JsonObject().put("backups", total).put("succeeded", succeeded).put("failed", failed)
        .put("cancelled", cancelled)
        .put("successRate", total == 0 ? null : Math.round(1000.0 * succeeded / total) / 1000.0)
        .put("averageDurationSeconds", succeeded == 0 ? null : Math.round(millis / (double) succeeded) / 1000.0)
        .put("rawBytes", bytes);
  }
}
