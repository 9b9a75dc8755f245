package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.PG;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ChunkRef;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.Damage;
import dev.cairn.testkit.DbCompare;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verify and restore as jobs of the agent, over real HTTP against the in-process agent and the real test
 * cluster: POST /api/v1/backups/{id}/verify and /restore.
 */
class ArchiveJobsIT {
  static final String PASSWORD = "s3cret-pw-never-echoed";
  @TempDir static Path dir;
  static ApiAgent api;
  static String good;

  @BeforeAll
  static void start() throws Exception {
    api = ApiAgent.start(dir, "api_jobs", "  rate_limit_per_minute: 0\n");
    JsonObject b = api.backup();
    assertEquals("succeeded", b.getString("state"), b.encode());
    good = b.getString("backupId");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  private static JsonObject error(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertEquals(code, e.getString("code"), r.body());
    return e;
  }

  private static JsonObject accepted(HttpResponse<String> r) {
    JsonObject body = api.json(r, 202);
    JsonObject job = body.getJsonObject("job");
    assertEquals("/api/v1/jobs/" + job.getString("id"), r.headers().firstValue("Location").orElse(null));
    assertEquals("api", job.getString("trigger"));
    return job;
  }

  /** The URI of {@code db} on the test cluster with a password in it (the cluster trusts loopback). */
  private static String withPassword(String db) {
    return PG.conninfo(db).replaceFirst("://([^@]+)@", "://$1:" + PASSWORD + "@");
  }

  @Test
  void theOpenapiDocumentDescribesVerifyAndRestore() throws Exception {
    String doc = api.get("/api/v1/openapi.yaml", null).body();
    assertTrue(doc.contains("\n  /backups/{id}/verify:") && doc.contains("\n  /backups/{id}/restore:"), doc);
  }

  @Test
  void verifyOfAGoodBackupSucceeds() throws Exception {
    JsonObject job = accepted(api.send("POST", "/api/v1/backups/" + good + "/verify", OPERATOR, null));
    assertEquals("verify", job.getString("kind"));
    assertEquals(good, job.getString("backupId"));
    assertEquals(api.db, job.getString("database"));
    JsonObject done = api.waitFor(job.getString("id"));
    assertEquals("succeeded", done.getString("state"), done.encode());
    assertEquals(5300, done.getLong("rows"));
    assertEquals(2, done.getInteger("tablesDone"));
    JsonObject v = api.json(api.get("/api/v1/backups/" + good, VIEWER), 200).getJsonObject("verification");
    assertEquals("verified", v.getString("state"), v.encode());
    assertEquals("full verify", v.getString("method"));
  }

  @Test
  void verifyOfADamagedArchiveFailsNamingTheChunk() throws Exception {
    TimeUnit1.pause();
    String id = api.backup().getString("backupId");
    Path archive = api.repo.resolve(id + ".cairn");
    ChunkRef target = Damage.flipByteInChunk(archive, "t", 0);
    JsonObject job = accepted(api.send("POST", "/api/v1/backups/" + id + "/verify", OPERATOR, ""));
    JsonObject done = api.waitFor(job.getString("id"));
    assertEquals("failed", done.getString("state"), done.encode());
    JsonObject err = done.getJsonObject("error");
    assertEquals("ARCHIVE_CORRUPT", err.getString("code"));
    assertTrue(err.getString("message").contains("table public.t chunk 1/")
        && err.getString("message").contains("byte offset " + target.offset()), err.getString("message"));

    // failed everywhere: the API's list, its detail, the CLI's list; never latest, never restored
    JsonObject listed = api.json(api.get("/api/v1/backups", VIEWER), 200).getJsonArray("backups").stream()
        .map(JsonObject.class::cast).filter(b -> b.getString("id").equals(id)).findFirst().orElseThrow();
    assertEquals("failed", listed.getString("status"), listed.encode());
    JsonObject v = listed.getJsonObject("verification");
    assertEquals("failed", v.getString("state"));
    assertTrue(v.getString("problem").contains("byte offset " + target.offset()), v.encode());
    assertEquals("failed", api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getString("status"));
    CairnCli.Run list = CairnCli.run("list", "--repo", api.repo, "--json");
    JsonObject cli = new JsonObject(list.out()).getJsonArray("backups").stream().map(JsonObject.class::cast)
        .filter(b -> b.getString("id").equals(id)).findFirst().orElseThrow();
    assertEquals("failed", cli.getString("status"), cli.encode());
    CairnCli.Run latest = CairnCli.run("show", "latest", "--repo", api.repo, "--json");
    assertTrue(!latest.out().contains(id), "latest is never a failed backup: " + latest);
    HttpResponse<String> restore = api.send("POST", "/api/v1/backups/" + id + "/restore", ADMIN,
        new JsonObject().put("target", withPassword("whatever_" + Long.toHexString(System.nanoTime()))).put("create", true)
            .encode());
    assertEquals(422, restore.statusCode(), restore.body());
    assertTrue(restore.body().contains("failed verification"), restore.body());
    api.json(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 200);
  }

  @Test
  void restoreIntoANewDatabaseSucceedsAndMatchesTheSource() throws Exception {
    String newDb = "api_jobs_new_" + Long.toHexString(System.nanoTime());
    try {
      String body = new JsonObject().put("target", withPassword(newDb)).put("create", true).encode();
      HttpResponse<String> r = api.send("POST", "/api/v1/backups/" + good + "/restore", ADMIN, body);
      assertFalse(r.body().contains(PASSWORD), r.body());
      JsonObject job = accepted(r);
      assertEquals("restore", job.getString("kind"));
      assertEquals(newDb, job.getString("database"));
      assertEquals(good, job.getString("backupId"));
      JsonObject done = api.waitFor(job.getString("id"));
      assertEquals("succeeded", done.getString("state"), done.encode());
      assertEquals(5300, done.getLong("rows"));
      assertEquals(DbCompare.tableRowCounts(PG, api.db), DbCompare.tableRowCounts(PG, newDb));
      DbCompare.assertSameDatabase(PG, api.db, newDb);
      assertFalse(api.get("/api/v1/jobs", VIEWER).body().contains(PASSWORD));
    } finally {
      PG.dropDatabase(newDb);
    }
  }

  @Test
  void aRestoreWithGlobalsIsAcceptedAndCreatesNothingWhenEveryRoleExists() throws Exception {
    String newDb = "api_jobs_globals_" + Long.toHexString(System.nanoTime());
    String roles = PG.psql("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles");
    try {
      String body = new JsonObject().put("target", PG.conninfo(newDb)).put("create", true).put("globals", true)
          .encode();
      JsonObject done = api.waitFor(accepted(api.send("POST", "/api/v1/backups/" + good + "/restore", ADMIN, body))
          .getString("id"));
      assertEquals("succeeded", done.getString("state"), done.encode());
      DbCompare.assertSameDatabase(PG, api.db, newDb);
      assertEquals(roles, PG.psql("postgres", "SELECT string_agg(rolname, ',' ORDER BY rolname) FROM pg_roles"));
    } finally {
      PG.dropDatabase(newDb);
    }
    error(api.send("POST", "/api/v1/backups/" + good + "/restore", ADMIN, "{\"target\":\"" + api.db
        + "\",\"globals\":\"yes\"}"), 400, "USAGE");
  }

  @Test
  void onlyTheChosenTablesAreRestored() throws Exception {
    String newDb = "api_jobs_part_" + Long.toHexString(System.nanoTime());
    try {
      String body = new JsonObject().put("target", PG.conninfo(newDb)).put("create", true)
          .put("tables", new JsonArray().add("public.u")).encode();
      JsonObject done = api.waitFor(accepted(api.send("POST", "/api/v1/backups/" + good + "/restore", ADMIN, body))
          .getString("id"));
      assertEquals("succeeded", done.getString("state"), done.encode());
      assertEquals(Map.of("public.u", 300L), DbCompare.tableRowCounts(PG, newDb));
    } finally {
      PG.dropDatabase(newDb);
    }
  }

  @Test
  void restoreIntoANonEmptyTargetFails() throws Exception {
    // the configured database itself: it holds the source tables
    String body = new JsonObject().put("target", api.db).encode();
    JsonObject done = api.waitFor(accepted(api.send("POST", "/api/v1/backups/" + good + "/restore", ADMIN, body))
        .getString("id"));
    assertEquals("failed", done.getString("state"), done.encode());
    assertEquals("RESTORE_TARGET_NOT_EMPTY", done.getJsonObject("error").getString("code"), done.encode());
    assertEquals(api.db, done.getString("database"));
    // and nothing was touched
    assertEquals(Map.of("public.t", 5000L, "public.u", 300L), DbCompare.tableRowCounts(PG, api.db));
  }

  @Test
  void aRestoreRequestIsValidatedStrictly() throws Exception {
    String path = "/api/v1/backups/" + good + "/restore";
    error(api.send("POST", path, ADMIN, "{}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":\"x\",\"force\":true}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":42}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"clean\":\"yes\"}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"tables\":\"public.t\"}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"tables\":[\"t\"]}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"tables\":[1]}"), 400, "USAGE");
    error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"tables\":[\"public.t\",\"public.t\"]}"),
        400, "USAGE");
    assertTrue(error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"tables\":[\"public.nope\"]}"),
        400, "USAGE").getString("message").contains("public.nope"));
    assertTrue(error(api.send("POST", path, ADMIN, "{\"target\":\"" + api.db + "\",\"create\":true}"), 400, "USAGE")
        .getString("message").contains("clean"));
    error(api.send("POST", path, ADMIN, "{\"target\":\"nosuchdb\"}"), 404, "DATABASE_NOT_FOUND");
    error(api.send("POST", path, ADMIN, "{\"target\":\"not a name or conninfo\"}"), 400, "USAGE");
    JsonObject bad = error(api.send("POST", path, ADMIN, new JsonObject().put("target",
        "postgresql://u:" + PASSWORD + "@127.0.0.1:notaport/db").encode()), 400, "CONNINFO");
    assertFalse(bad.encode().contains(PASSWORD), bad.encode());
    error(api.send("POST", "/api/v1/backups/" + api.db + "-20000101T000000Z/restore", ADMIN,
        "{\"target\":\"" + api.db + "\"}"), 404, "BACKUP_NOT_FOUND");
    error(api.send("POST", "/api/v1/backups/" + api.db + "-20000101T000000Z/verify", OPERATOR, null), 404,
        "BACKUP_NOT_FOUND");
    error(api.send("POST", "/api/v1/backups/" + good + "/verify", OPERATOR, "{\"x\":1}"), 400, "USAGE");
  }

  @Test
  void rolesAreChecked() throws Exception {
    error(api.send("POST", "/api/v1/backups/" + good + "/verify", VIEWER, null), 403, "FORBIDDEN");
    error(api.send("POST", "/api/v1/backups/" + good + "/verify", null, null), 401, "UNAUTHENTICATED");
    error(api.send("POST", "/api/v1/backups/" + good + "/restore", OPERATOR, "{\"target\":\"" + api.db + "\"}"),
        403, "FORBIDDEN");
    error(api.send("POST", "/api/v1/backups/" + good + "/restore", VIEWER, "{\"target\":\"" + api.db + "\"}"),
        403, "FORBIDDEN");
    JsonObject done = api.waitFor(accepted(api.send("POST", "/api/v1/backups/" + good + "/verify", ADMIN, null))
        .getString("id"));
    assertEquals("succeeded", done.getString("state"), done.encode());
  }

  /**
   * A restore into a server that accepts the connection and never answers stays running: meanwhile its
   * backup is in use (delete refused), and a second restore into the same target is refused.
   */
  @Test
  void aBackupUsedByARunningJobIsNotDeletedAndOneRestorePerTarget() throws Exception {
    TimeUnit1.pause();
    String id = api.backup().getString("backupId");
    List<Socket> accepted = Collections.synchronizedList(new ArrayList<>());
    Thread t = null;
    try (ServerSocket silent = new ServerSocket(0)) {
      t = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept());
          }
        } catch (Exception e) {
          // closed
        }
      });
      t.setDaemon(true);
      t.start();
      String target = "host=127.0.0.1 port=" + silent.getLocalPort() + " dbname=silent user=nobody sslmode=disable"
          + " password=" + PASSWORD;
      String body = new JsonObject().put("target", target).encode();
      HttpResponse<String> r = api.send("POST", "/api/v1/backups/" + id + "/restore", ADMIN, body);
      assertFalse(r.body().contains(PASSWORD), r.body());
      JsonObject job = accepted(r);
      assertEquals("running", job.getString("state"));
      JsonArray active = api.json(api.get("/api/v1/jobs?active=true", VIEWER), 200).getJsonArray("jobs");
      assertTrue(active.stream().map(o -> (JsonObject) o).anyMatch(j -> j.getString("id").equals(job.getString("id"))
          && id.equals(j.getString("backupId"))), active.encode());
      JsonObject e = error(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 409, "IN_USE");
      assertTrue(e.getString("message").contains(job.getString("id")), e.encode());
      JsonObject busy = error(api.send("POST", "/api/v1/backups/" + good + "/restore", ADMIN, body), 409, "IN_USE");
      assertFalse(busy.encode().contains(PASSWORD), busy.encode());
      assertTrue(api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getString("id").equals(id));
    } finally {
      // a connection accepted just before the close is in the list only once the thread has ended
      if (t != null) {
        t.join(10_000);
      }
    }
    synchronized (accepted) {
      for (Socket s : accepted) {
        s.close();
      }
    }
    JsonArray jobs = api.json(api.get("/api/v1/jobs?active=true", VIEWER), 200).getJsonArray("jobs");
    for (Object o : jobs) {
      api.waitFor(((JsonObject) o).getString("id"));
    }
    api.json(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 200);
  }

  /** Backup ids have one-second resolution: wait into the next second so that a new backup gets a new id. */
  static final class TimeUnit1 {
    static void pause() throws InterruptedException {
      java.util.concurrent.TimeUnit.MILLISECONDS.sleep(1100);
    }
  }
}
