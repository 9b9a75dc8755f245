package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.HttpConfig;
import dev.cairn.jobs.Job;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint over real HTTP on loopback, against the in-process agent and the real test cluster. */
class HttpApiIT {
  @TempDir static Path dir;
  static ApiAgent api;
  static String older;
  static String newer;

  @BeforeAll
  static void start() throws Exception {
    api = ApiAgent.start(dir, "api_http", "  rate_limit_per_minute: 0\n");
    JsonObject first = api.backup();
    assertEquals("succeeded", first.getString("state"), first.encode());
    TimeUnit1.pause();
    JsonObject second = api.backup();
    assertEquals("succeeded", second.getString("state"), second.encode());
    older = first.getString("backupId");
    newer = second.getString("backupId");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** Backup ids have one-second resolution: wait into the next second so the two ids differ by time. */
  static final class TimeUnit1 {
    static void pause() throws InterruptedException {
      java.util.concurrent.TimeUnit.MILLISECONDS.sleep(1100);
    }
  }

  private static JsonObject error(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"), r.headers().toString());
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertEquals(code, e.getString("code"), r.body());
    assertFalse(e.getString("message").isBlank());
    assertFalse(r.body().contains("\tat ") || r.body().contains("Exception"), "no stack trace: " + r.body());
    return e;
  }

  @Test
  void healthAndTheOpenapiDocumentNeedNoToken() throws Exception {
    JsonObject health = api.json(api.get("/api/v1/health", null), 200);
    assertEquals("ok", health.getString("status"));
    HttpResponse<String> doc = api.get("/api/v1/openapi.yaml", null);
    assertEquals(200, doc.statusCode());
    assertTrue(doc.body().startsWith("openapi: 3"), doc.body());
    for (String path : List.of("/health", "/backups", "/backups/{id}", "/backups/{id}/archive",
        "/backups/{id}/download-ticket", "/jobs", "/jobs/{id}",
        "/schedules", "/stats", "/retention/run", "/openapi.yaml", "/whoami",
        "/notifications/test")) {
      assertTrue(doc.body().contains("\n  " + path + ":"), "openapi.yaml documents " + path);
    }
  }

  @Test
  void theListShowsBackupsNewestFirstAndFiltersByDatabase() throws Exception {
    JsonArray all = api.json(api.get("/api/v1/backups", VIEWER), 200).getJsonArray("backups");
    assertEquals(List.of(newer, older), all.stream().map(o -> ((JsonObject) o).getString("id")).toList());
    JsonObject b = all.getJsonObject(0);
    assertEquals(api.db, b.getString("database"));
    assertEquals("ok", b.getString("status"));
    assertEquals(2, b.getInteger("tables"));
    assertEquals(5300, b.getLong("rows"));
    assertEquals(Files.size(api.repo.resolve(newer + ".cairn")), b.getLong("bytes"));
    assertTrue(Instant.parse(b.getString("finished")).isAfter(Instant.parse(b.getString("started")).minusMillis(1)));
    assertEquals(2, api.json(api.get("/api/v1/backups?database=" + api.db, VIEWER), 200).getJsonArray("backups").size());
    assertEquals(0, api.json(api.get("/api/v1/backups?database=other", VIEWER), 200).getJsonArray("backups").size());
    error(api.get("/api/v1/backups?database=..%2Fetc", VIEWER), 400, "USAGE");
    error(api.get("/api/v1/backups?db=x", VIEWER), 400, "USAGE");
    error(api.get("/api/v1/backups?database=a&database=b", VIEWER), 400, "USAGE");
  }

  @Test
  void oneBackupShowsItsManifestSummaryWithEachTablesRows() throws Exception {
    JsonObject b = api.json(api.get("/api/v1/backups/" + older, VIEWER), 200);
    assertEquals(older, b.getString("id"));
    assertEquals(api.db, b.getString("sourceDatabase"));
    assertEquals(2, b.getInteger("tableCount"));
    assertEquals("all", b.getString("content"));
    assertTrue(b.getJsonObject("globals").getBoolean("rolePasswords"), b.encode());
    JsonArray tables = b.getJsonArray("tables");
    assertEquals(List.of("public.t 5000", "public.u 300"), tables.stream().map(o -> (JsonObject) o)
        .map(t -> t.getString("schema") + "." + t.getString("name") + " " + t.getLong("rows")).sorted().toList());
  }

  @Test
  void anUnknownBackupIs404AndAMalformedIdIs400() throws Exception {
    error(api.get("/api/v1/backups/" + api.db + "-20000101T000000Z", VIEWER), 404, "BACKUP_NOT_FOUND");
    error(api.get("/api/v1/backups/not-an-id", VIEWER), 400, "USAGE");
    error(api.get("/api/v1/backups/..%2F..%2Fetc%2Fpasswd", VIEWER), 400, "USAGE");
    error(api.get("/api/v1/backups/" + older + "%2F..", VIEWER), 400, "USAGE");
  }

  @Test
  void startingABackupAnswers202WithTheJobAndItsLocation() throws Exception {
    HttpResponse<String> r = api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":\"" + api.db + "\"}");
    JsonObject body = api.json(r, 202);
    String id = body.getJsonObject("job").getString("id");
    assertEquals("/api/v1/jobs/" + id, r.headers().firstValue("Location").orElse(null));
    assertEquals("api", body.getJsonObject("job").getString("trigger"));
    assertFalse(body.getString("note").isBlank());
    JsonObject done = api.waitFor(id);
    assertEquals("succeeded", done.getString("state"), done.encode());
    // clean up so the other tests see exactly two backups
    api.json(api.send("DELETE", "/api/v1/backups/" + done.getString("backupId"), ADMIN, null), 200);
  }

  @Test
  void aBackupRequestIsValidatedStrictly() throws Exception {
    error(api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":\"nope\"}"), 404, "DATABASE_NOT_FOUND");
    assertTrue(error(api.send("POST", "/api/v1/backups", OPERATOR, "{}"), 400, "USAGE").getString("message")
        .contains("\"database\" is required"));
    assertTrue(error(api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":7}"), 400, "USAGE")
        .getString("message").contains("must be a string"));
    assertTrue(error(api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":\"x\",\"jobs\":9}"), 400, "USAGE")
        .getString("message").contains("unknown field \"jobs\""));
    assertTrue(error(api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":"), 400, "USAGE")
        .getString("message").contains("not valid JSON"));
    error(api.send("POST", "/api/v1/backups", OPERATOR, "[\"x\"]"), 400, "USAGE");
    error(api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":\"x\"}", "Content-Type", "text/plain"), 415,
        "UNSUPPORTED_MEDIA_TYPE");
    error(api.send("POST", "/api/v1/backups", OPERATOR, "{\"database\":\"" + "x".repeat(70_000) + "\"}"), 413,
        "BODY_TOO_LARGE");
  }

  @Test
  void theArchiveDownloadsWholeWithItsLengthAndChecksum() throws Exception {
    byte[] file = Files.readAllBytes(api.repo.resolve(older + ".cairn"));
    HttpResponse<byte[]> r = api.bytes("/api/v1/backups/" + older + "/archive", OPERATOR);
    assertEquals(200, r.statusCode());
    assertArrayEquals(file, r.body());
    assertEquals(String.valueOf(file.length), r.headers().firstValue("Content-Length").orElse(null));
    assertEquals("bytes", r.headers().firstValue("Accept-Ranges").orElse(null));
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file));
    assertEquals(sha, r.headers().firstValue("X-Cairn-Sha256").orElse(null));
    assertTrue(r.headers().firstValue("Repr-Digest").orElse("").startsWith("sha-256=:"));
  }

  @Test
  void aDownloadTicketFetchesThatOneArchiveWithoutATokenAlsoResumed() throws Exception {
    byte[] file = Files.readAllBytes(api.repo.resolve(older + ".cairn"));
    String ask = "/api/v1/backups/" + older + "/download-ticket";
    JsonObject t = api.json(api.send("POST", ask, OPERATOR, null), 201);
    String url = "/api/v1/backups/" + older + "/archive?ticket=" + t.getString("ticket");
    assertEquals(url, t.getString("url"));
    assertTrue(Instant.parse(t.getString("expires")).isAfter(Instant.now()), t.encode());

    HttpResponse<byte[]> whole = api.bytes(url, null);
    assertEquals(200, whole.statusCode());
    assertArrayEquals(file, whole.body());
    assertEquals("attachment; filename=\"" + older + ".cairn\"",
        whole.headers().firstValue("Content-Disposition").orElse(null));
    HttpResponse<byte[]> resumed = api.bytes(url, null, "Range", "bytes=100-");
    assertEquals(206, resumed.statusCode());
    assertArrayEquals(Arrays.copyOfRange(file, 100, file.length), resumed.body());

    error(api.get("/api/v1/backups/" + newer + "/archive?ticket=" + t.getString("ticket"), null), 401,
        "UNAUTHENTICATED");
    error(api.get("/api/v1/backups/" + older + "/archive?ticket=" + "A".repeat(43), null), 401, "UNAUTHENTICATED");
    error(api.get("/api/v1/backups/" + older + "/archive?ticket=", null), 401, "UNAUTHENTICATED");
    error(api.send("POST", ask, VIEWER, null), 403, "FORBIDDEN");
    error(api.send("POST", ask, OPERATOR, "{\"for\":\"me\"}"), 400, "USAGE");
    error(api.send("POST", "/api/v1/backups/" + api.db + "-20000101T000000Z/download-ticket", OPERATOR, null), 404,
        "BACKUP_NOT_FOUND");
  }

  @Test
  void rangeRequestsGiveExactlyTheAskedBytes() throws Exception {
    byte[] file = Files.readAllBytes(api.repo.resolve(older + ".cairn"));
    int n = file.length;
    String path = "/api/v1/backups/" + older + "/archive";
    HttpResponse<byte[]> first = api.bytes(path, OPERATOR, "Range", "bytes=0-99");
    assertEquals(206, first.statusCode());
    assertArrayEquals(Arrays.copyOfRange(file, 0, 100), first.body());
    assertEquals("bytes 0-99/" + n, first.headers().firstValue("Content-Range").orElse(null));
    assertEquals("100", first.headers().firstValue("Content-Length").orElse(null));

    HttpResponse<byte[]> middle = api.bytes(path, OPERATOR, "Range", "bytes=1000-" + (n / 2));
    assertEquals(206, middle.statusCode());
    assertArrayEquals(Arrays.copyOfRange(file, 1000, n / 2 + 1), middle.body());

    HttpResponse<byte[]> suffix = api.bytes(path, OPERATOR, "Range", "bytes=-64");
    assertEquals(206, suffix.statusCode());
    assertArrayEquals(Arrays.copyOfRange(file, n - 64, n), suffix.body());
    assertEquals("bytes " + (n - 64) + "-" + (n - 1) + "/" + n, suffix.headers().firstValue("Content-Range").orElse(null));

    HttpResponse<byte[]> tail = api.bytes(path, OPERATOR, "Range", "bytes=" + (n - 10) + "-");
    assertArrayEquals(Arrays.copyOfRange(file, n - 10, n), tail.body());

    HttpResponse<byte[]> past = api.bytes(path, OPERATOR, "Range", "bytes=" + n + "-");
    assertEquals(416, past.statusCode());
    assertEquals("bytes */" + n, past.headers().firstValue("Content-Range").orElse(null));
    assertEquals("RANGE_NOT_SATISFIABLE", new JsonObject(new String(past.body())).getJsonObject("error").getString("code"));

    HttpResponse<byte[]> several = api.bytes(path, OPERATOR, "Range", "bytes=0-1,5-6");
    assertEquals(200, several.statusCode(), "several ranges are ignored: the whole file");
    assertArrayEquals(file, several.body());

    HttpResponse<String> head = api.send("HEAD", path, OPERATOR, null);
    assertEquals(200, head.statusCode());
    assertEquals(String.valueOf(n), head.headers().firstValue("Content-Length").orElse(null));
  }

  @Test
  void deletingIsRefusedWhileARunningJobUsesTheBackup() throws Exception {
    JsonObject made = api.backup();
    String id = made.getString("backupId");
    Job verify = Job.queued(Job.Kind.VERIFY, api.db, "test", Instant.now()).running(Instant.now()).withBackup(id);
    api.agent.vertx().eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(verify));
    JsonObject e = error(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 409, "IN_USE");
    assertTrue(e.getString("message").contains(verify.id()), e.encode());
    assertTrue(Files.exists(api.repo.resolve(id + ".cairn")));

    api.agent.vertx().eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(verify.succeeded(Instant.now())));
    api.json(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 200);
    assertFalse(Files.exists(api.repo.resolve(id + ".cairn")));
    error(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 404, "BACKUP_NOT_FOUND");
  }

  @Test
  void jobsAreListedShownAndAFinishedOneCannotBeCancelled() throws Exception {
    JsonArray jobs = api.json(api.get("/api/v1/jobs", VIEWER), 200).getJsonArray("jobs");
    JsonObject backupJob = jobs.stream().map(o -> (JsonObject) o)
        .filter(j -> older.equals(j.getString("backupId"))).findFirst().orElseThrow();
    assertEquals("backup", backupJob.getString("kind"));
    String id = backupJob.getString("id");
    assertEquals(backupJob.getString("id"), api.json(api.get("/api/v1/jobs/" + id, VIEWER), 200).getString("id"));
    assertEquals(1, api.json(api.get("/api/v1/jobs?limit=1", VIEWER), 200).getJsonArray("jobs").size());
    api.json(api.get("/api/v1/jobs?active=true&database=" + api.db, VIEWER), 200);
    error(api.send("DELETE", "/api/v1/jobs/" + id, OPERATOR, null), 409, "JOB_FINISHED");
    error(api.get("/api/v1/jobs/j-20000101T000000-abcd", VIEWER), 404, "JOB_NOT_FOUND");
    error(api.get("/api/v1/jobs/..%2Fjobs.history", VIEWER), 400, "USAGE");
    error(api.get("/api/v1/jobs?limit=0", VIEWER), 400, "USAGE");
    error(api.get("/api/v1/jobs?active=maybe", VIEWER), 400, "USAGE");
  }

  @Test
  void schedulesShowCronNextRunsAndTheLastResult() throws Exception {
    JsonArray s = api.json(api.get("/api/v1/schedules", VIEWER), 200).getJsonArray("schedules");
    assertEquals(1, s.size());
    JsonObject one = s.getJsonObject(0);
    assertEquals(api.db, one.getString("database"));
    assertEquals("backup", one.getString("kind"));
    assertEquals(List.of("@yearly"), one.getJsonArray("cron").getList());
    assertEquals(5, one.getJsonArray("nextRuns").size());
    assertEquals("succeeded", one.getString("lastResult"));
    assertEquals("backup", one.getJsonObject("lastRun").getString("kind"));
  }

  @Test
  void statsCountBackupsSizesAndTheSuccessRate() throws Exception {
    JsonObject s = api.json(api.get("/api/v1/stats", VIEWER), 200);
    JsonObject backups = s.getJsonObject("backups");
    assertTrue(backups.getInteger("count") >= 2, s.encode());
    assertTrue(backups.getLong("bytes") > 0);
    assertTrue(backups.getJsonObject("databases").containsKey(api.db));
    JsonObject day = s.getJsonObject("last24h");
    assertTrue(day.getInteger("succeeded") >= 2, s.encode());
    assertEquals(1.0, day.getDouble("successRate"));
    assertTrue(day.getDouble("averageDurationSeconds") > 0);
    assertTrue(s.getJsonObject("last7d").getInteger("backups") >= day.getInteger("backups"));
  }

  @Test
  void aRetentionDryRunSaysWhatItWouldKeepAndWhy() throws Exception {
    JsonObject r = api.json(api.send("POST", "/api/v1/retention/run", OPERATOR, "{\"dryRun\":true}"), 200);
    assertTrue(r.getBoolean("dryRun"));
    JsonArray decisions = r.getJsonArray("decisions");
    assertTrue(decisions.size() >= 2, r.encode());
    for (Object o : decisions) {
      JsonObject d = (JsonObject) o;
      assertTrue(d.getBoolean("keep"), "nothing configured: everything is kept " + d);
      assertFalse(d.getBoolean("deleted"));
      assertFalse(d.getJsonArray("reasons").isEmpty());
    }
    assertEquals("retention", r.getJsonObject("job").getString("kind"));
    error(api.send("POST", "/api/v1/retention/run", OPERATOR, "{}"), 400, "USAGE");
    error(api.send("POST", "/api/v1/retention/run", OPERATOR, "{\"dryRun\":\"yes\"}"), 400, "USAGE");
    error(api.send("POST", "/api/v1/retention/run", OPERATOR, "{\"dryRun\":true,\"database\":\"zz\"}"), 404,
        "DATABASE_NOT_FOUND");
  }

  @Test
  void unknownPathsAndMethodsAnswerJsonErrors() throws Exception {
    error(api.get("/api/v1/nope", VIEWER), 404, "NOT_FOUND");
    error(api.get("/api/v2/backups", null), 404, "NOT_FOUND");
    error(api.send("PUT", "/api/v1/backups", ADMIN, "{}"), 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  void tokensAreComparedByHashSoEveryConfiguredRoleIsRecognised() {
    Auth auth = new Auth(List.of(new HttpConfig.Token("a", HttpConfig.Role.ADMIN, HttpConfig.sha256Hex("one")),
        new HttpConfig.Token("b", HttpConfig.Role.VIEWER, HttpConfig.sha256Hex("two"))), new RateLimiter(0, null));
    assertEquals("a", auth.authenticate("Bearer one").name());
    assertEquals("b", auth.authenticate("bearer two").name());
    assertNull(auth.authenticate("Bearer three"));
    assertNull(auth.authenticate("Basic b25lOg=="));
    assertNull(auth.authenticate("Bearer "));
    assertNull(auth.authenticate(null));
  }
}
