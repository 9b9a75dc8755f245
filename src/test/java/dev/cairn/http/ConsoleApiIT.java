package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.jobs.Job;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console reads beyond the basics: health's problems (a database that cannot be reached named
 * first, with its password nowhere in any answer), the jobs history filtered and paged over 5,000 jobs, a
 * job's log lines, the retention preview, and the repository's usage over time. One agent for all.
 */
class ConsoleApiIT {
  static final String SECRET = "hunter2-console-secret";

  @TempDir Path dir;

  @Test
  void problemsHistoryPagesJobLogsAndTheRetentionPreviewAsTheConsoleReadsThem() throws Exception {
    Path repo = Files.createDirectories(dir.resolve("repo"));
    // 5,000 finished jobs of an earlier run, every tenth failed, for a database no longer configured
    StringBuilder history = new StringBuilder();
    Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
    for (int i = 0; i < 5000; i++) {
      Instant at = t0.plusSeconds(60L * i);
      Job j = Job.queued(i % 7 == 0 ? Job.Kind.VERIFY : Job.Kind.BACKUP, "old", "schedule", at).running(at);
      j = i % 10 == 0 ? j.failed(at.plusSeconds(3), "DB_CONNECT", "cannot connect to old") : j.succeeded(at.plusSeconds(3));
      history.append(j.toJson().encode()).append('\n');
    }
    Files.writeString(repo.resolve("jobs.history"), history, StandardCharsets.UTF_8);
    String broken = "    retention: {keep_last: 2}\n  - name: broken\n    url: postgresql://nobody:" + SECRET
        + "@127.0.0.1:1/broken?connect_timeout=2\n    schedule: \"@yearly\"\n    max_age: 400d\n";
    try (ApiAgent api = ApiAgent.start(dir, "api_console", true, "", "  history_limit: 6000\n", broken,
        HttpClient.newHttpClient())) {
      JsonObject b1 = api.backup();
      JsonObject b2 = api.backup();
      assertEquals("succeeded", b2.getString("state"), b2.encode());
      JsonObject failed = api.waitFor(api.json(api.send("POST", "/api/v1/backups", ApiAgent.OPERATOR,
          "{\"database\":\"broken\"}"), 202).getJsonObject("job").getString("id"));
      assertEquals("failed", failed.getString("state"));

      // health: the broken database first, named, critical, with the error's code and a hint
      JsonObject health = new JsonObject(api.get("/api/v1/health", null).body());
      JsonArray problems = health.getJsonArray("problems");
      JsonObject first = problems.getJsonObject(0);
      assertEquals("broken", first.getString("database"), problems.encodePrettily());
      assertEquals("critical", first.getString("severity"));
      Set<String> kinds = new HashSet<>();
      problems.forEach(o -> kinds.add(((JsonObject) o).getString("database") + " " + ((JsonObject) o).getString("kind")));
      assertTrue(kinds.containsAll(Set.of("broken failed", "broken stale", api.db + " unverified")), kinds.toString());
      assertTrue(first.getString("message").contains("DB_CONNECT"), first.encode());

      // the job's detail: its log lines, the error with its code
      JsonObject detail = api.json(api.get("/api/v1/jobs/" + failed.getString("id"), ApiAgent.VIEWER), 200);
      assertTrue(detail.getJsonArray("log").stream().anyMatch(l -> ((JsonObject) l).getString("message")
          .contains("backup of broken failed")), detail.encodePrettily());
      JsonObject okDetail = api.json(api.get("/api/v1/jobs/" + b1.getString("id"), ApiAgent.VIEWER), 200);
      assertTrue(okDetail.getJsonArray("log").stream().anyMatch(l -> ((JsonObject) l).getString("message")
          .contains("published")), okDetail.encodePrettily());
      assertTrue(okDetail.getJsonArray("log").stream().anyMatch(l -> ((JsonObject) l).getString("message")
          .contains("(server ")), "the dumper's own lines, tagged [job-id backup-id]: " + okDetail.encodePrettily());

      // history: filters and pages over 5,000 jobs
      long start = System.nanoTime();
      JsonObject page = api.json(api.get("/api/v1/jobs?database=old&kind=backup&status=failed&limit=100", ApiAgent.VIEWER), 200);
      long firstPageMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(100, page.getJsonArray("jobs").size());
      page.getJsonArray("jobs").forEach(o -> {
        JsonObject j = (JsonObject) o;
        assertEquals("failed", j.getString("state"));
        assertEquals("backup", j.getString("kind"));
      });
      int seen = 0;
      String before = null;
      Instant last = Instant.MAX;
      start = System.nanoTime();
      do {
        page = api.json(api.get("/api/v1/jobs?database=old&kind=backup&limit=500"
            + (before == null ? "" : "&before=" + before), ApiAgent.VIEWER), 200);
        for (Object o : page.getJsonArray("jobs")) {
          Instant created = Instant.parse(((JsonObject) o).getString("created"));
          assertTrue(created.isBefore(last), "newest first, no job twice");
          last = created;
          seen++;
        }
        before = page.getString("next");
      } while (before != null);
      long allPagesMs = (System.nanoTime() - start) / 1_000_000;
      assertEquals(5000 - 715, seen, "every backup job of the 5,000, once"); // 715 of them are verify jobs
      System.out.println("jobs history of 5,000: first filtered page " + firstPageMs + " ms, all " + seen
          + " backup jobs in pages of 500: " + allPagesMs + " ms");
      assertTrue(firstPageMs < 2000 && allPagesMs < 5000, firstPageMs + " ms, " + allPagesMs + " ms");
      assertEquals(400, api.get("/api/v1/jobs?status=done", ApiAgent.VIEWER).statusCode());
      assertEquals(400, api.get("/api/v1/jobs?before=yesterday", ApiAgent.VIEWER).statusCode());

      // the retention preview: both kept now; the next run pushes the older out (keep_last 2)
      JsonObject preview = api.json(api.get("/api/v1/databases/" + api.db + "/retention-preview", ApiAgent.VIEWER), 200);
      assertEquals("keep_last=2", preview.getString("policy"));
      assertTrue(preview.getJsonArray("backups").stream().allMatch(o -> ((JsonObject) o).getBoolean("keep")),
          preview.encodePrettily());
      JsonArray next = preview.getJsonArray("nextDeletes");
      assertEquals(1, next.size(), preview.encodePrettily());
      assertEquals(b1.getString("backupId"), next.getJsonObject(0).getString("backupId"));
      assertTrue(preview.getString("nextRun").startsWith(String.valueOf(java.time.Year.now().getValue() + 1)),
          preview.getString("nextRun"));
      assertEquals(404, api.get("/api/v1/databases/nosuch/retention-preview", ApiAgent.VIEWER).statusCode());

      // usage over time from the catalog, and the free space the local driver knows
      JsonObject stats = api.json(api.get("/api/v1/stats", ApiAgent.VIEWER), 200).getJsonObject("backups");
      JsonArray usage = stats.getJsonArray("usage");
      assertEquals(2, usage.size());
      assertEquals(stats.getLong("bytes"), usage.getJsonObject(1).getLong("bytes"));
      assertTrue(usage.getJsonObject(0).getLong("bytes") < usage.getJsonObject(1).getLong("bytes"));
      assertTrue(stats.getLong("freeBytes") > 0, stats.encode());

      // the password of the broken database's URL is in no answer the console reads
      for (String path : new String[] {"/api/v1/health", "/api/v1/jobs?limit=10000", "/api/v1/schedules",
          "/api/v1/stats", "/api/v1/backups", "/api/v1/jobs/" + failed.getString("id"),
          "/api/v1/databases/broken/retention-preview"}) {
        String body = api.get(path, ApiAgent.ADMIN).body();
        assertFalse(body.contains(SECRET), path + " shows the password: " + body);
      }
      assertEquals(failed.getJsonObject("error").getString("hint"), first.getString("hint"), "the error's hint");
      assertTrue(first.getString("hint") != null && !first.getString("hint").isBlank(), failed.encodePrettily());
    }
  }
}
