package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every cluster as GET /api/v1/pitr, the health check and the metrics show it, from the agent's last look at each
 * ({@link LagMonitor}'s state: no pg_waldump here). A cluster is unhealthy with a gap in its WAL, without a window,
 * when the lag is above its max_lag, or when its last restore test failed or is older than max_test_age.
 */
public final class PitrReport {
  public record Report(boolean ok, JsonObject json) {}

  private PitrReport() {}

  /**
   * {@code states}: each cluster's last state (null: none yet), in order; {@code errors}: why a cluster's last
   * check failed, when it did.
   */
  public static Report of(Map<String, JsonObject> states, Map<String, String> errors, Instant now) {
    JsonArray clusters = new JsonArray();
    boolean allOk = true;
    for (var e : states.entrySet()) {
      JsonObject o = cluster(e.getKey(), e.getValue(), errors.get(e.getKey()), now);
      allOk &= o.getBoolean("ok");
      clusters.add(o);
    }
    return new Report(allOk, new JsonObject().put("clusters", clusters));
  }

  /** Without an agent streaming in this process: the clusters of a repository that have an agent's state. */
  public static Report fromRepository(Storage storage, Instant now) {
    Map<String, JsonObject> states = new java.util.LinkedHashMap<>();
    Map<String, String> errors = new java.util.HashMap<>();
    for (String name : PitrStore.clusters(storage)) {
      try {
        new PitrStore(storage, name).state().ifPresent(s -> states.put(name, s));
      } catch (CairnException e) {
        states.put(name, null);
        errors.put(name, e.getMessage());
      }
    }
    return of(states, errors, now);
  }

  /** One cluster's answer: the window, lag, gaps, base backups and last restore test, judged. */
  static JsonObject cluster(String name, JsonObject state, String error, Instant now) {
    JsonObject s = state == null ? new JsonObject() : state;
    JsonObject window = s.getJsonObject("window", new JsonObject().put("from", null).put("to", null));
    JsonArray gaps = s.getJsonArray("gaps", new JsonArray());
    Double lag = s.containsKey("checked") ? PitrStatus.lag(s, now) : null;
    Double maxLag = s.getDouble("max_lag_seconds");
    String windowChecked = s.getString("window_checked");
    JsonObject test = s.getJsonObject("restore_test");
    Long maxTestAge = s.getLong("max_test_age_seconds");
    JsonArray problems = new JsonArray();
    if (error != null) {
      problem(problems, "pitr_check_failed", "the agent's last check of cluster " + name + " failed: " + error,
          "look at the agent's log (cairn.pitr) and whether the server accepts the cluster's url");
    }
    if (state == null) {
      problem(problems, "no_window", "no look at cluster " + name + " yet", "wait for the agent's first check (5 s)");
    } else if (!s.containsKey("lag_seconds")) {
      problem(problems, "no_window", "the WAL stream of cluster " + name + " has not reached the server yet"
          + (s.getString("receiver_error") == null ? "" : ": " + s.getString("receiver_error")),
          "check the cluster's url, the role's REPLICATION attribute and pg_hba.conf; the agent's log has each attempt");
    } else if (window.getString("from") == null) {
      problem(problems, "no_window", "cluster " + name + " has no recovery window yet (a base backup whose WAL is"
          + " complete)", "take a base backup (cairn pitr backup), and check that the WAL stream runs");
    }
    if (!gaps.isEmpty()) {
      problem(problems, "wal_gap", gaps.size() + " WAL segment(s) of cluster " + name + " missing, first "
          + gaps.getString(0), "a restore cannot pass a gap: take a base backup now, so the window starts after it");
    }
    if (lag != null && maxLag != null && lag > maxLag) {
      problem(problems, "wal_lag", String.format(java.util.Locale.ROOT, "WAL lag of cluster %s is %.0f s, above"
          + " max_lag %.0f s", name, lag, maxLag), "the WAL stream is behind or stopped, or the agent is not"
          + " reporting: look at the agent's log (wal stream of cluster " + name + ")");
    }
    String testProblem = testProblem(test, maxTestAge, now);
    if (testProblem != null) {
      problem(problems, "restore_test_failing", testProblem, "run cairn pitr test --cluster " + name + " and read"
          + " its error: the cluster may not restore to its last commits");
    }
    List<String> reasons = new ArrayList<>();
    problems.forEach(x -> reasons.add(((JsonObject) x).getString("message")));
    JsonObject o = new JsonObject().put("name", name).put("window", window).put("lag_seconds", lag)
        .put("max_lag_seconds", maxLag).put("gaps", gaps).put("timelines", s.getJsonArray("timelines", new JsonArray()))
        .put("base_backups", s.getInteger("base_backups", 0)).put("last_base_backup", s.getJsonObject("last_base_backup"))
        .put("receiver_restarts", s.getLong("receiver_restarts", 0L)).put("checked", s.getString("checked"))
        .put("window_checked", windowChecked)
        .put("window_age_seconds", windowChecked == null ? null
            : Math.max(0, Duration.between(Instant.parse(windowChecked), now).toMillis() / 1000.0))
        .put("window_error", s.getString("window_error")).put("restore_test", test);
    o.put("ok", reasons.isEmpty());
    if (!reasons.isEmpty()) {
      o.put("reason", String.join("; ", reasons));
    }
    o.put("problems", problems);
    return o;
  }

  private static void problem(JsonArray out, String kind, String message, String hint) {
    out.add(new JsonObject().put("kind", kind).put("message", message).put("hint", hint));
  }

  private static String testProblem(JsonObject test, Long maxTestAge, Instant now) {
    if (test != null && !test.getBoolean("passed", false)) {
      return "last restore test (" + test.getString("finished") + ") failed: " + test.getString("message");
    }
    if (maxTestAge == null) {
      return null;
    }
    if (test == null) {
      return "no restore test yet (max_test_age " + maxTestAge + " s)";
    }
    Duration age = Duration.between(Instant.parse(test.getString("finished")), now);
    return age.toSeconds() > maxTestAge ? "last restore test passed " + age.toSeconds() + " s ago, more than"
        + " max_test_age " + maxTestAge + " s" : null;
  }
}
