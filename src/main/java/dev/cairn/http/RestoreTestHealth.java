package dev.cairn.http;

import dev.cairn.copy.Placement;
import dev.cairn.restoretest.RestoreTestLog;
import dev.cairn.restoretest.RestoreTestResult;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore tests in the health answer: a database whose last restore test failed, or (with
 * {@code max_test_age}) whose last passed test is older than that or that has none, is not healthy.
 */
final class RestoreTestHealth {
  private RestoreTestHealth() {}

  /** Blocking: the last test of each of {@code databases}, from the log in each one's first repository. */
  static Map<String, RestoreTestResult> last(Placement placement, Iterable<String> databases) {
    Map<String, RestoreTestResult> out = new LinkedHashMap<>();
    for (String db : databases) {
      out.putAll(RestoreTestLog.last(placement.receiving(db).repository(), List.of(db)));
    }
    return out;
  }

  /** {@code maxTestAge}: every database with restore_test, to its max_test_age (null: no limit). */
  static Health.Report amend(Health.Report r, Map<String, Duration> maxTestAge, Map<String, RestoreTestResult> last,
      Instant now) {
    boolean allOk = r.ok();
    for (Object o : r.json().getJsonArray("databases")) {
      JsonObject db = (JsonObject) o;
      String name = db.getString("database");
      if (!maxTestAge.containsKey(name)) {
        continue;
      }
      Duration limit = maxTestAge.get(name);
      RestoreTestResult t = last.get(name);
      String reason = null;
      if (t != null) {
        db.put("restoreTest", new JsonObject().put("backupId", t.backupId()).put("passed", t.passed())
            .put("finished", String.valueOf(t.finished())).put("durationMs", t.durationMs())
            .put("restoreMs", t.restoreMs()));
      }
      if (t != null && !t.passed()) {
        reason = "last restore test (backup " + t.backupId() + ") failed: " + t.message();
      } else if (limit != null && t == null) {
        reason = "no restore test yet (max_test_age " + Health.human(limit) + ")";
      } else if (limit != null && Duration.between(t.finished(), now).compareTo(limit) > 0) {
        reason = "last restore test passed " + Health.human(Duration.between(t.finished(), now)) + " ago, more than"
            + " max_test_age " + Health.human(limit);
      }
      if (reason != null) {
        String before = db.getString("reason");
        db.put("reason", before == null ? reason : before + "; " + reason).put("ok", false)
            .put("restoreTestProblem", reason);
        allOk = false;
      }
    }
    r.json().put("status", allOk ? "ok" : "failing");
    return new Health.Report(allOk, r.json());
  }
}
