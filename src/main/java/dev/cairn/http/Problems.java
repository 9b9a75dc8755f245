package dev.cairn.http;

import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Verification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What needs attention, as a flat list the console's summary row is drawn from (GET /api/v1/health,
 * {@code problems}). Each feature adds its own kinds here; the console knows none of them by name, it shows
 * the severity, the database, the message and the hint. Pure.
 */
final class Problems {
  private Problems() {}

  /** Ordered: critical before warning before notice; the console colours and sorts by it. */
  enum Severity { CRITICAL, WARNING, NOTICE }

  /**
   * One thing an operator should look at. {@code kind}: failed, stale, clock_skew, verify_failed, damaged,
   * unverified, restore_test_failing; a cluster's (its name as the database) wal_gap, wal_lag, no_window,
   * restore_test_failing, pitr_check_failed; {@code since}: when it
   * started, null when unknown.
   */
  record Problem(String kind, Severity severity, String database, String message, String hint, Instant since) {
    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("severity", severity.name().toLowerCase(Locale.ROOT))
          .put("database", database).put("message", message).put("hint", hint)
          .put("since", since == null ? null : since.toString());
    }
  }

  /**
   * {@code health}: {@link Health#evaluate}'s answer; {@code jobs}: the registry, newest first;
   * {@code backups}: newest first. Sorted by severity, then database.
   */
  static List<Problem> of(JsonObject health, List<Job> jobs, List<Backups.Entry> backups, Map<String, Duration> maxAge) {
    List<Problem> out = new ArrayList<>();
    for (Object o : health.getJsonArray("databases")) {
      JsonObject h = (JsonObject) o;
      String db = h.getString("database");
      failing(db, jobs).ifPresent(out::add);
      if (h.containsKey("clockSkew")) {
        JsonObject skew = h.getJsonObject("clockSkew");
        out.add(new Problem("clock_skew", Severity.CRITICAL, db, "backup " + skew.getString("backup") + " is dated "
            + skew.getString("finished") + ", " + Health.human(Duration.ofSeconds(skew.getLong("aheadSeconds")))
            + " ahead of this host's clock", "check the clocks of this host and of the database server", null));
      }
      String last = h.getString("lastBackupFinished");
      Duration max = maxAge.get(db);
      if (last == null) {
        out.add(new Problem("stale", Severity.CRITICAL, db, "no good backup of " + db + " yet",
            "run a backup now, and look at the last run's error if it fails", null));
      } else if (max != null && h.getLong("ageSeconds", 0L) > max.toSeconds()) {
        out.add(new Problem("stale", Severity.CRITICAL, db, "newest good backup " + h.getString("lastBackup") + " is "
            + Health.human(Duration.ofSeconds(h.getLong("ageSeconds"))) + " old, more than max_age "
            + Health.human(max), "run a backup now; check the schedule", Instant.parse(last).plus(max)));
      }
      verification(db, backups, out);
      String test = h.getString("restoreTestProblem");
      if (test != null) {
        out.add(new Problem("restore_test_failing", Severity.CRITICAL, db, test,
            "run cairn test on the backup and read its report; the backup may not restore as it should", null));
      }
    }
    for (Object o : health.getJsonArray("clusters", new JsonArray())) {
      pitr((JsonObject) o, out);
    }
    out.sort(Comparator.comparing(Problem::severity).thenComparing(Problem::database));
    return out;
  }

  /** A cluster's own problems (PitrReport: wal_gap, wal_lag, no_window, restore_test_failing, pitr_check_failed). */
  private static void pitr(JsonObject cluster, List<Problem> out) {
    for (Object o : cluster.getJsonArray("problems", new JsonArray())) {
      JsonObject p = (JsonObject) o;
      String kind = p.getString("kind");
      out.add(new Problem(kind, kind.equals("pitr_check_failed") ? Severity.WARNING : Severity.CRITICAL,
          cluster.getString("name"), p.getString("message"), p.getString("hint"), null));
    }
  }

  static JsonArray json(List<Problem> problems) {
    JsonArray a = new JsonArray();
    problems.forEach(p -> a.add(p.toJson()));
    return a;
  }

  /** The newest finished backup job failed: since the first of the failures in a row, with how many. */
  private static Optional<Problem> failing(String db, List<Job> jobs) {
    List<Job> done = jobs.stream().filter(j -> j.kind() == Job.Kind.BACKUP && db.equals(j.database())
        && j.state().done()).toList();
    int n = 0;
    while (n < done.size() && done.get(n).state() == Job.State.FAILED) {
      n++;
    }
    if (n == 0) {
      return Optional.empty();
    }
    Job newest = done.get(0);
    Job first = done.get(n - 1);
    String runs = n == 1 ? "" : " (" + n + " runs in a row)";
    return Optional.of(new Problem("failed", Severity.CRITICAL, db, "last backup failed" + runs + ": "
        + newest.errorCode() + ": " + newest.errorMessage(), newest.errorHint(), first.finished()));
  }

  /** Backups that failed verification or cannot be read; the newest good backup never verified. */
  private static void verification(String db, List<Backups.Entry> backups, List<Problem> out) {
    List<Backups.Entry> mine = backups.stream().filter(b -> db.equals(b.name())).toList();
    List<Backups.Entry> failed = mine.stream().filter(b -> b.readable() && !b.good()).toList();
    if (!failed.isEmpty()) {
      Verification v = failed.get(0).verification();
      out.add(new Problem("verify_failed", Severity.WARNING, db, failed.size() + " backup(s) failed verification, newest "
          + failed.get(0).id() + ": " + v.problem(), "it is never restored; delete it, or verify it again after"
          + " repairing the storage", v.at()));
    }
    long damaged = mine.stream().filter(b -> !b.readable()).count();
    if (damaged > 0) {
      Backups.Entry d = mine.stream().filter(b -> !b.readable()).findFirst().orElseThrow();
      out.add(new Problem("damaged", Severity.WARNING, db, damaged + " archive(s) cannot be read, e.g. " + d.id() + ": "
          + d.damage(), "cairn catalog rebuild, or delete the archive", null));
    }
    mine.stream().filter(Backups.Entry::good).findFirst()
        .filter(b -> b.verification().state() == Verification.State.UNVERIFIED)
        .ifPresent(b -> out.add(new Problem("unverified", Severity.NOTICE, db, "newest good backup " + b.id()
            + " has not been verified", "verify it (or set verify_after_backup / verify_schedule)",
            b.summary().finished())));
  }
}
