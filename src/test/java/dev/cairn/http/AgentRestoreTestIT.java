package dev.cairn.http;

import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.PG;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restore tests run by the agent: after a backup and through the API, seen in jobs, health and metrics. */
class AgentRestoreTestIT {
  @TempDir Path dir;

  private static ApiAgent start(Path dir, String prefix, String expect) throws Exception {
    return ApiAgent.start(dir, prefix, true, "", "    restore_test:\n      after_backup: true\n"
        + "      schedule: \"0 4 * * 0\"\n"
        + "      target: " + PG.conninfo("postgres") + "\n      max_test_age: 1d\n"
        + "      checks:\n        - {name: all rows, sql: \"select count(*) from t\", expect: \"" + expect + "\"}\n",
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  /** The finished restore test job of backup {@code id} (the after-backup one starts once the backup ends). */
  private static JsonObject testJob(ApiAgent api, String id) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      for (Object o : api.json(api.get("/api/v1/jobs?database=" + api.db, VIEWER), 200).getJsonArray("jobs")) {
        JsonObject j = (JsonObject) o;
        if ("test".equals(j.getString("kind")) && id.equals(j.getString("backupId"))
            && !j.getString("state").equals("running")) {
          return j;
        }
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("no finished restore test job of " + id);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  private static String scratchDatabases(String db) {
    return PG.psql("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'cairn\\_test\\_"
        + db + "\\_%'").strip();
  }

  @Test
  void aBackupIsRestoreTestedAfterItIsPublishedAndAgainOnRequestWithResultsInApiHealthAndMetrics() throws Exception {
    try (ApiAgent api = start(dir, "api_rtest", "= 5000")) {
      String id = api.backup().getString("backupId");
      JsonObject job = testJob(api, id);
      assertEquals("succeeded", job.getString("state"), job.encode());
      assertEquals("after backup", job.getString("trigger"));
      assertEquals("", scratchDatabases(api.db), "the scratch database is dropped");

      JsonObject v = api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getJsonObject("verification");
      assertEquals("restore-tested", v.getString("state"), v.encode());
      assertTrue(v.getJsonObject("restoreTest").getJsonArray("checked").contains("1 SQL check"), v.encode());

      assertEquals(403, api.send("POST", "/api/v1/backups/" + id + "/test", VIEWER, "{}").statusCode(),
          "a viewer cannot start a restore test");
      JsonObject accepted = api.json(api.send("POST", "/api/v1/backups/" + id + "/test", OPERATOR, "{}"), 202);
      assertEquals("test", accepted.getJsonObject("job").getString("kind"));
      JsonObject second = api.waitFor(accepted.getJsonObject("job").getString("id"));
      assertEquals("succeeded", second.getString("state"), second.encode());

      JsonObject tests = api.json(api.get("/api/v1/restore-tests", VIEWER), 200).getJsonArray("databases")
          .getJsonObject(0);
      assertEquals(api.db, tests.getString("database"));
      assertEquals(2, tests.getJsonArray("tests").size(), tests.encode());
      JsonObject last = tests.getJsonObject("last");
      assertTrue(last.getBoolean("passed") && last.getLong("restoreMs") > 0, last.encode());

      JsonArray schedules = api.json(api.get("/api/v1/schedules", VIEWER), 200).getJsonArray("schedules");
      assertEquals(2, schedules.size(), schedules.encode());
      JsonObject test = schedules.getJsonObject(1);
      assertEquals("test", test.getString("kind"), "the restore-test schedule is listed beside the backups': "
          + schedules.encode());
      assertEquals(List.of("0 4 * * 0"), test.getJsonArray("cron").getList());
      assertEquals(5, test.getJsonArray("nextRuns").size());
      assertEquals("succeeded", test.getString("lastResult"), "the last test job: " + test.encode());
      assertEquals("test", test.getJsonObject("lastRun").getString("kind"));
      assertEquals("backup", schedules.getJsonObject(0).getString("kind"));

      JsonObject health = api.json(api.get("/api/v1/health", null), 200).getJsonArray("databases").getJsonObject(0);
      assertTrue(health.getJsonObject("restoreTest").getBoolean("passed"), health.encode());
      String metrics = api.get("/metrics", VIEWER).body();
      assertTrue(metrics.contains("cairn_restore_test_last_passed{database=\"" + api.db + "\"} 1.0"), metrics);
    }
  }

  @Test
  void aFailingSqlCheckFailsTheJobTurnsHealthRedAndShowsInMetrics() throws Exception {
    try (ApiAgent api = start(dir, "api_rtest_bad", "> 5000")) {
      String id = api.backup().getString("backupId");
      JsonObject job = testJob(api, id);
      assertEquals("failed", job.getString("state"), job.encode());
      JsonObject err = job.getJsonObject("error");
      assertEquals("RESTORE_MISMATCH", err.getString("code"));
      assertTrue(err.getString("message").contains("check \"all rows\": returned 5000, expected > 5000"), err.encode());
      assertEquals("", scratchDatabases(api.db), "the scratch database is dropped after a failure");

      var r = api.get("/api/v1/health", null);
      assertEquals(503, r.statusCode(), r.body());
      String reason = new JsonObject(r.body()).getJsonArray("databases").getJsonObject(0).getString("reason");
      assertTrue(reason.contains("last restore test (backup " + id + ") failed"), reason);
      String metrics = api.get("/metrics", VIEWER).body();
      assertTrue(metrics.contains("cairn_restore_test_last_passed{database=\"" + api.db + "\"} 0.0"), metrics);
      JsonObject v = api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getJsonObject("verification");
      assertFalse("restore-tested".equals(v.getString("state")), v.encode());
    }
  }
}
