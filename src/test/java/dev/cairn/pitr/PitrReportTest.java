package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the agent's last look at a cluster is judged for the API, health and metrics (pure: no server, no pg_waldump). */
class PitrReportTest {
  static final Instant NOW = Instant.parse("2026-12-02T10:00:00Z");

  static JsonObject state(Instant checked) {
    return new JsonObject().put("checked", checked.toString()).put("lag_seconds", 2.0).put("max_lag_seconds", 300.0)
        .put("window_checked", checked.minusSeconds(40).toString())
        .put("window", new JsonObject().put("from", "2026-12-01T01:00:00Z").put("to", "2026-12-02T09:59:50Z"))
        .put("gaps", new JsonArray()).put("timelines", new JsonArray().add(1)).put("base_backups", 2)
        .put("last_base_backup", new JsonObject().put("id", "main-20261202T010000Z").put("finished", "2026-12-02T01:00:09Z")
            .put("stored_bytes", 1234)).put("receiver_restarts", 3);
  }

  static JsonObject judge(JsonObject state) {
    return judge(state, null);
  }

  static JsonObject judge(JsonObject state, String error) {
    Map<String, JsonObject> states = new LinkedHashMap<>();
    states.put("main", state);
    Map<String, String> errors = new HashMap<>();
    if (error != null) {
      errors.put("main", error);
    }
    PitrReport.Report r = PitrReport.of(states, errors, NOW);
    JsonObject c = r.json().getJsonArray("clusters").getJsonObject(0);
    assertEquals(r.ok(), c.getBoolean("ok"));
    return c;
  }

  static List<String> kinds(JsonObject c) {
    return c.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("kind")).toList();
  }

  @Test
  void aFreshStateWithAWindowNoGapAndALagWithinMaxLagIsHealthyAndShowsTheAgeOfItsWindow() {
    JsonObject c = judge(state(NOW.minusSeconds(3)));
    assertTrue(c.getBoolean("ok"), c.encodePrettily());
    assertEquals(List.of(), kinds(c));
    assertEquals(2.0, c.getDouble("lag_seconds"));
    assertEquals(43.0, c.getDouble("window_age_seconds"));
    assertEquals("2026-12-02T09:59:50Z", c.getJsonObject("window").getString("to"));
    assertEquals(3L, c.getLong("receiver_restarts"));
    assertEquals(1234L, c.getJsonObject("last_base_backup").getLong("stored_bytes"));
  }

  @Test
  void aStateTheAgentStoppedRefreshingGrowsItsLagUntilItIsAboveMaxLag() {
    JsonObject c = judge(state(NOW.minusSeconds(600)));
    assertEquals(602.0, c.getDouble("lag_seconds"));
    assertEquals(List.of("wal_lag"), kinds(c));
    assertTrue(c.getString("reason").contains("above max_lag 300 s"), c.getString("reason"));
  }

  @Test
  void aGapNoWindowAndAFailedCheckAreEachNamed() {
    JsonObject gap = judge(state(NOW).put("gaps", new JsonArray().add("000000010000000000000007")));
    assertEquals(List.of("wal_gap"), kinds(gap));
    assertTrue(gap.getString("reason").contains("first 000000010000000000000007"), gap.getString("reason"));
    JsonObject none = judge(state(NOW).put("window", new JsonObject().put("from", null).put("to", null)));
    assertEquals(List.of("no_window"), kinds(none));
    assertEquals(List.of("pitr_check_failed", "no_window"), kinds(judge(null, "cannot connect to 127.0.0.1:5432")));
  }

  @Test
  void aFailedRestoreTestOrOneOlderThanMaxTestAgeOrNoneWithALimitIsARestoreTestProblem() {
    JsonObject passed = new PitrTestResult("main", "main-1", "t1", true, NOW.minusSeconds(7200), NOW.minusSeconds(7100),
        9000, null, null, null).toJson();
    JsonObject failed = new PitrTestResult("main", "main-1", "t2", false, NOW.minusSeconds(60), NOW.minusSeconds(30), 0,
        "RESTORE_MISMATCH", "the sentinel row t2 ... is missing", null).toJson();
    assertEquals(List.of(), kinds(judge(state(NOW).put("restore_test", passed))), "no limit: an old pass is fine");
    assertEquals(List.of(), kinds(judge(state(NOW).put("restore_test", passed).put("max_test_age_seconds", 86400))));
    JsonObject old = judge(state(NOW).put("restore_test", passed).put("max_test_age_seconds", 3600));
    assertEquals(List.of("restore_test_failing"), kinds(old));
    JsonObject bad = judge(state(NOW).put("restore_test", failed));
    assertEquals(List.of("restore_test_failing"), kinds(bad));
    assertTrue(bad.getString("reason").contains("the sentinel row t2"), bad.getString("reason"));
    assertFalse(judge(state(NOW).put("max_test_age_seconds", 3600)).getBoolean("ok"), "none yet with a limit");
  }

  @Test
  void aStreamThatHasNotReachedTheServerYetIsNoWindowNamingWhyWithoutALag() {
    JsonObject c = judge(new JsonObject().put("checked", NOW.toString()).put("max_lag_seconds", 300.0)
        .put("receiver_error", "cannot connect to 127.0.0.1:5432: connection refused"));
    assertEquals(List.of("no_window"), kinds(c));
    assertEquals(null, c.getDouble("lag_seconds"));
    assertTrue(c.getString("reason").contains("connection refused"), c.getString("reason"));
  }
}
