package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.PG;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.jobs.Job;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cancelling verify and restore jobs (DELETE /api/v1/jobs/{id}) and their live progress, over real HTTP
 * against the in-process agent and the real test cluster. A job must still be running when the DELETE
 * arrives: the source database holds a table large enough for that, and a job that finished first anyway
 * (a fast machine) is detected and tried again with the table made larger, never counted as a pass.
 */
class JobCancelIT {
  /** Rows of the large table at first (about 70 MB of COPY text), doubled for each retry. */
  static final long FIRST_ROWS = 500_000;
  static final int ATTEMPTS = 4;
  /** Rows of the two small tables every ApiAgent database holds. */
  static final long SMALL_ROWS = 5300;
  @TempDir static Path dir;
  static ApiAgent api;
  static long bigRows;
  static String backupId;

  @BeforeAll
  static void start() throws Exception {
    api = ApiAgent.start(dir, "api_cancel", "  rate_limit_per_minute: 0\n");
    PG.psql(api.db, "CREATE TABLE big (id bigint, v text)");
    grow(FIRST_ROWS);
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** Makes the large table {@code rows} rows long and takes the backup the tests then use. */
  static void grow(long rows) throws Exception {
    PG.psql(api.db, "INSERT INTO big SELECT g, repeat(md5(g::text), 4) FROM generate_series(" + (bigRows + 1) + ", "
        + rows + ") g");
    bigRows = rows;
    TimeUnit.MILLISECONDS.sleep(1100); // backup ids have a resolution of one second
    JsonObject b = api.backup();
    assertEquals("succeeded", b.getString("state"), b.encode());
    backupId = b.getString("backupId");
  }

  static void growForRetry(int attempt, String what) throws Exception {
    if (attempt == ATTEMPTS) {
      fail(what + " finished before it could be observed or cancelled, " + ATTEMPTS + " times, the last with "
          + bigRows + " rows in the large table");
    }
    grow(bigRows * 2);
  }

  private static JsonObject job(String id) throws Exception {
    return api.json(api.get("/api/v1/jobs/" + id, VIEWER), 200);
  }

  private static boolean running(JsonObject job) {
    return job.getString("state").equals("running");
  }

  /** Starts a restore of the current backup into a new database {@code target}; returns the job id. */
  private static String restoreInto(String target) throws Exception {
    String body = new JsonObject().put("target", PG.conninfo(target)).put("create", true).encode();
    JsonObject job = api.json(api.send("POST", "/api/v1/backups/" + backupId + "/restore", ADMIN, body), 202)
        .getJsonObject("job");
    assertEquals("running", job.getString("state"), job.encode());
    return job.getString("id");
  }

  /** Sessions of the agent (application_name cairn) or COPYs on database {@code db}, as "pid state query; ...". */
  private static String agentSessions(String db) {
    return PG.psql("postgres", "SELECT coalesce(string_agg(pid || ' ' || coalesce(state, '') || ' '"
        + " || left(query, 60), '; '), '') FROM pg_stat_activity WHERE datname = " + PgCluster.quoteLiteral(db)
        + " AND (application_name = 'cairn' OR query ILIKE 'copy %')");
  }

  /** COPY statements running on database {@code db}. */
  private static int copies(String db) {
    return Integer.parseInt(PG.psql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = "
        + PgCluster.quoteLiteral(db) + " AND state = 'active' AND query ILIKE 'copy %'"));
  }

  @Test
  void cancellingARunningRestoreEndsItCancelledAndLeavesNoCopyOnTheServer() throws Exception {
    for (int attempt = 1; ; attempt++) {
      String target = "api_cancel_r_" + Long.toHexString(System.nanoTime());
      try {
        String id = restoreInto(target);
        boolean copying = false;
        while (running(job(id)) && !(copying = copies(target) > 0)) {
          TimeUnit.MILLISECONDS.sleep(20);
        }
        if (copying) {
          JsonObject before = job(id);
          assertTrue(before.getLong("workTotal") > 0, "the data phase reports its work: " + before.encode());
          HttpResponse<String> r = api.send("DELETE", "/api/v1/jobs/" + id, OPERATOR, null);
          if (r.statusCode() == 202) {
            JsonObject accepted = new JsonObject(r.body());
            assertEquals("cancelling", accepted.getString("note"), r.body());
            JsonObject done = api.waitFor(id);
            if (!done.getString("state").equals("succeeded")) {
              assertEquals("cancelled", done.getString("state"), done.encode());
              JsonObject err = done.getJsonObject("error");
              assertEquals("CANCELLED", err.getString("code"), done.encode());
              assertTrue(err.getString("message").contains("database " + target + " may be left partially restored")
                  && err.getString("message").contains("clean"), err.getString("message"));
              long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
              String left = agentSessions(target);
              while (!left.isEmpty() && System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(50);
                left = agentSessions(target);
              }
              assertEquals("", left, "sessions of the agent left on " + target);
              return;
            }
            // succeeded: the cancel arrived after the last step had begun; try a longer restore
          } else {
            assertEquals(409, r.statusCode(), r.body());
            assertEquals("JOB_FINISHED", new JsonObject(r.body()).getJsonObject("error").getString("code"), r.body());
          }
        }
        api.waitFor(id);
      } finally {
        PG.dropDatabase(target);
      }
      growForRetry(attempt, "a restore");
    }
  }

  @Test
  void cancellingARunningVerifyEndsItCancelledAndLeavesTheArchiveAsItWas() throws Exception {
    for (int attempt = 1; ; attempt++) {
      Path archive = api.repo.resolve(backupId + ".cairn");
      long size = Files.size(archive);
      var modified = Files.getLastModifiedTime(archive);
      JsonObject job = api.json(api.send("POST", "/api/v1/backups/" + backupId + "/verify", OPERATOR, null), 202)
          .getJsonObject("job");
      String id = job.getString("id");
      HttpResponse<String> r = api.send("DELETE", "/api/v1/jobs/" + id, OPERATOR, null);
      if (r.statusCode() == 202) {
        JsonObject done = api.waitFor(id);
        if (!done.getString("state").equals("succeeded")) {
          assertEquals("cancelled", done.getString("state"), done.encode());
          assertEquals("CANCELLED", done.getJsonObject("error").getString("code"), done.encode());
          assertTrue(done.getLong("workDone") < done.getLong("workTotal"), "it stopped reading: " + done.encode());
          assertEquals(size, Files.size(archive));
          assertEquals(modified, Files.getLastModifiedTime(archive));
          return;
        }
      } else {
        assertEquals(409, r.statusCode(), r.body());
        assertEquals("JOB_FINISHED", new JsonObject(r.body()).getJsonObject("error").getString("code"), r.body());
        api.waitFor(id);
      }
      growForRetry(attempt, "a verify");
    }
  }

  @Test
  void aRunningRestoreShowsItsPercentAndEstimatedFinishAndEndsAtHundred() throws Exception {
    for (int attempt = 1; ; attempt++) {
      String target = "api_cancel_p_" + Long.toHexString(System.nanoTime());
      try {
        String id = restoreInto(target);
        JsonObject seen = null;
        JsonObject j = job(id);
        while (running(j)) {
          // a rate needs work done and time passed since the copying began
          if (seen == null && "copying".equals(j.getString("phase")) && j.getLong("workDone") > 0
              && !j.getString("progressAt").equals(j.getString("phaseStarted"))) {
            seen = j;
          }
          if (j.getString("phase") != null && !List.of("pre-data", "copying").contains(j.getString("phase"))) {
            assertNull(j.getValue("percent"), "no percent after the data: " + j.encode());
            assertNull(j.getValue("estimatedFinish"), "no estimate after the data: " + j.encode());
          }
          TimeUnit.MILLISECONDS.sleep(50);
          j = job(id);
        }
        assertEquals("succeeded", j.getString("state"), j.encode());
        assertEquals(100, j.getInteger("percent"));
        assertEquals(SMALL_ROWS + bigRows, j.getLong("rows"));
        assertEquals(3, j.getInteger("tablesDone"));
        if (seen != null) {
          int percent = seen.getInteger("percent");
          assertTrue(percent >= 0 && percent <= 99, seen.encode());
          assertEquals(j.getLong("workTotal"), seen.getLong("workTotal"), "the total is known from the start");
          assertTrue(seen.getLong("bytes") > 0 && seen.getLong("rows") > 0, seen.encode());
          assertEquals(3, seen.getInteger("tablesTotal"));
          assertNotNull(seen.getString("estimatedFinish"), seen.encode());
          return;
        }
      } finally {
        PG.dropDatabase(target);
      }
      growForRetry(attempt, "a restore");
    }
  }

  @Test
  void aFinishedVerifyOrRestoreCannotBeCancelled() throws Exception {
    String verify = api.json(api.send("POST", "/api/v1/backups/" + backupId + "/verify", OPERATOR, null), 202)
        .getJsonObject("job").getString("id");
    assertEquals("succeeded", api.waitFor(verify).getString("state"));
    HttpResponse<String> r = api.send("DELETE", "/api/v1/jobs/" + verify, OPERATOR, null);
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("JOB_FINISHED", new JsonObject(r.body()).getJsonObject("error").getString("code"));

    // into the configured database, which is not empty: fails at once
    String body = new JsonObject().put("target", api.db).encode();
    String restore = api.json(api.send("POST", "/api/v1/backups/" + backupId + "/restore", ADMIN, body), 202)
        .getJsonObject("job").getString("id");
    assertEquals("failed", api.waitFor(restore).getString("state"));
    r = api.send("DELETE", "/api/v1/jobs/" + restore, OPERATOR, null);
    assertEquals(409, r.statusCode(), r.body());
    assertEquals("JOB_FINISHED", new JsonObject(r.body()).getJsonObject("error").getString("code"));
  }

  /** Retention runs for milliseconds: a running one is put into the registry directly, as its verticle would. */
  @Test
  void aRunningRetentionJobCannotBeCancelledAndTheAnswerSaysWhy() throws Exception {
    Job retention = Job.queued(Job.Kind.RETENTION, api.db, "test", Instant.now()).running(Instant.now());
    api.agent.vertx().eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(retention));
    try {
      HttpResponse<String> r = api.send("DELETE", "/api/v1/jobs/" + retention.id(), OPERATOR, null);
      assertEquals(409, r.statusCode(), r.body());
      JsonObject e = new JsonObject(r.body()).getJsonObject("error");
      assertEquals("IN_USE", e.getString("code"));
      assertTrue(e.getString("message").contains("retention job") && e.getString("message").contains("atomic"),
          e.encode());
    } finally {
      api.agent.vertx().eventBus().send(Addresses.JOB_UPDATE,
          new Messages.JobUpdate(retention.succeeded(Instant.now())));
    }
  }
}
