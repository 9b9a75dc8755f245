package dev.cairn.http;

import dev.cairn.testkit.TestArchives;
import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /api/v1/backups/import over real HTTP: an archive downloaded from the agent is imported back
 * (and verifies), while damaged, foreign, duplicate and over-limit uploads are refused and leave the
 * repository exactly as it was.
 */
class ImportIT {
  static final long LIMIT = 4L << 20;
  @TempDir static Path dir;
  static ApiAgent api;
  // The JDK's default: it asks for HTTP/2 (h2c), which the agent declines.
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    api = ApiAgent.start(dir, "api_import", "  rate_limit_per_minute: 0\n  max_import_size: 4MiB\n");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  /** The repository's archives and partial files (the job history beside them changes with every job). */
  static List<String> archives() throws IOException {
    try (Stream<Path> s = Files.list(api.repo)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".cairn")).sorted().toList();
    }
  }

  static HttpResponse<String> upload(String token, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(api.uri("/api/v1/backups/import")).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/octet-stream");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject error(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.body());
    JsonObject e = new JsonObject(r.body()).getJsonObject("error");
    assertEquals(code, e.getString("code"), r.body());
    return e;
  }

  static String newBackup() throws Exception {
    Thread.sleep(1100); // backup ids have a resolution of one second
    JsonObject b = api.backup();
    assertEquals("succeeded", b.getString("state"), b.encode());
    return b.getString("backupId");
  }

  static byte[] download(String id) throws Exception {
    HttpResponse<byte[]> r = api.bytes("/api/v1/backups/" + id + "/archive", OPERATOR);
    assertEquals(200, r.statusCode());
    return r.body();
  }

  @Test
  void aDownloadedArchiveImportsBackAfterItsDeletionAndVerifies() throws Exception {
    String id = newBackup();
    JsonObject before = api.json(api.get("/api/v1/backups/" + id, VIEWER), 200);
    byte[] archive = download(id);
    api.json(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 200);
    assertTrue(!archives().contains(id + ".cairn"));

    HttpResponse<String> r = upload(ADMIN, archive);
    JsonObject summary = api.json(r, 201);
    assertEquals("verified", summary.getJsonObject("verification").getString("state"), "import verifies it fully");
    summary.remove("verification");
    before.remove("verification");
    assertEquals(before, summary); // the same archive: the same answer as GET /backups/{id} gave
    assertEquals(id, summary.getString("id"));
    assertEquals("ok", summary.getString("status"));
    assertEquals(before.getLong("rows"), summary.getLong("rows"));
    assertEquals(archive.length, summary.getLong("bytes"));
    assertEquals("/api/v1/backups/" + id, r.headers().firstValue("Location").orElse(null));
    assertTrue(archives().contains(id + ".cairn"));
    assertTrue(archives().stream().noneMatch(n -> n.endsWith(".partial")), archives().toString());
    assertTrue(Arrays.equals(archive, Files.readAllBytes(api.repo.resolve(id + ".cairn"))));

    JsonObject list = api.json(api.get("/api/v1/backups", VIEWER), 200);
    assertTrue(list.getJsonArray("backups").stream().anyMatch(o -> id.equals(((JsonObject) o).getString("id"))));
    JsonObject job = api.json(api.send("POST", "/api/v1/backups/" + id + "/verify", OPERATOR, ""), 202)
        .getJsonObject("job");
    JsonObject done = api.waitFor(job.getString("id"));
    assertEquals("succeeded", done.getString("state"), done.encode());
    assertEquals(5300, done.getLong("rows"));
  }

  @Test
  void anArchiveWithAFlippedByteInADataChunkIsRefusedAndLeavesNothing() throws Exception {
    String id = newBackup();
    byte[] archive = download(id);
    Path file = api.repo.resolve(id + ".cairn");
    ChunkRef target;
    try (ArchiveReader r = TestArchives.open(file)) {
      Manifest m = Manifest.parse(r.manifestJson(), file.toString());
      Manifest.Table t = m.tables().stream().filter(x -> x.name().equals("t")).findFirst().orElseThrow();
      target = t.parts().get(0).chunks().get(0);
    }
    // Deleted first, so that only the damage can be the reason for the refusal.
    api.json(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 200);
    byte[] bad = archive.clone();
    int pos = (int) (target.offset() + target.storedLength() / 2 + 20);
    bad[pos] ^= 0x40;
    List<String> before = archives();
    JsonObject e = error(upload(ADMIN, bad), 422, "ARCHIVE_CORRUPT");
    assertTrue(e.getString("message").contains("table public.t chunk 1/"), e.getString("message"));
    assertTrue(!e.getString("message").contains(api.repo.toString()), e.getString("message"));
    assertEquals(before, archives());

    error(upload(ADMIN, Arrays.copyOf(archive, archive.length / 2)), 422, "ARCHIVE_CORRUPT");
    assertEquals(before, archives());
    error(upload(ADMIN, "this is not an archive at all".repeat(100).getBytes()), 422, "ARCHIVE_CORRUPT");
    assertEquals(before, archives());
    error(upload(ADMIN, new byte[0]), 422, "ARCHIVE_CORRUPT");
    assertEquals(before, archives());
  }

  @Test
  void anArchiveWhoseIdExistsIsRefusedWith409() throws Exception {
    String id = newBackup();
    byte[] archive = download(id);
    List<String> before = archives();
    JsonObject e = error(upload(ADMIN, archive), 409, "BACKUP_EXISTS");
    assertTrue(e.getString("message").contains(id), e.getString("message"));
    assertEquals(before, archives());
  }

  @Test
  void anUploadOverTheLimitGets413AndLeavesNothing() throws Exception {
    List<String> before = archives();
    byte[] big = new byte[(int) LIMIT + 1];
    try {
      error(upload(ADMIN, big), 413, "BODY_TOO_LARGE"); // refused from Content-Length, connection closed
    } catch (IOException cutOff) {
      // the agent may close the connection before the client has read the answer
    }
    assertEquals(before, archives());
    // Without a Content-Length the limit cuts the stream off while it arrives.
    HttpRequest req = HttpRequest.newBuilder(api.uri("/api/v1/backups/import")).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[(int) LIMIT * 2])))
        .header("Content-Type", "application/octet-stream").header("Authorization", "Bearer " + ADMIN).build();
    try {
      HttpResponse<String> r = CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
      error(r, 413, "BODY_TOO_LARGE");
    } catch (IOException cutOff) {
      // the agent may close the connection before the client has read the answer
    }
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!before.equals(archives()) && System.nanoTime() < end) {
      Thread.sleep(50);
    }
    assertEquals(before, archives());
  }

  @Test
  void onlyAdminsMayImport() throws Exception {
    List<String> before = archives();
    error(upload(OPERATOR, new byte[100]), 403, "FORBIDDEN");
    error(upload(VIEWER, new byte[100]), 403, "FORBIDDEN");
    error(upload(null, new byte[100]), 401, "UNAUTHENTICATED");
    error(upload(ApiAgent.WRONG, new byte[100]), 401, "UNAUTHENTICATED");
    assertEquals(before, archives());
  }

  @Test
  void refusedUploadsAnswerOverHttp11AndLeaveTheClientUsable() throws Exception {
    // Refused before the body is read, so the connection is closed: over h2c that would end every request
    // sharing it (GOAWAY). The agent does not speak h2c; the same client goes on working.
    for (int i = 0; i < 5; i++) {
      HttpResponse<String> r = upload(null, new byte[64 << 10]);
      assertEquals(HttpClient.Version.HTTP_1_1, r.version());
      error(r, 401, "UNAUTHENTICATED");
      error(upload(VIEWER, new byte[64 << 10]), 403, "FORBIDDEN");
    }
    HttpResponse<String> after = CLIENT.send(HttpRequest.newBuilder(api.uri("/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(HttpClient.Version.HTTP_1_1, after.version());
  }

  @Test
  void aRefusalSentWhileTheBodyIsStillArrivingReachesTheClient() throws Exception {
    // The client sends an 8 MiB body and reads the answer only then. Closing the connection with body bytes
    // unread resets it, and the reset throws the 401 away before the client reads it: the agent reads and
    // drops the rest of the body first (up to a bound), then closes.
    byte[] body = new byte[8 << 20];
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", api.port)) {
      s.setSoTimeout(20_000);
      var out = s.getOutputStream();
      out.write(("POST /api/v1/backups/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + body.length + "\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.write(body); // blocks until the agent has read nearly all of it
      out.flush();
      String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 401 "), answer);
      assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("\r\nconnection: close\r\n"), answer);
      assertTrue(answer.contains("\"UNAUTHENTICATED\""), answer);
    }
  }

  @Test
  void aJsonBodyIsRefusedWith415() throws Exception {
    HttpResponse<String> r = api.send("POST", "/api/v1/backups/import", ADMIN, "{}");
    error(r, 415, "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void theOpenapiDocumentDescribesImport() throws Exception {
    String doc = api.get("/api/v1/openapi.yaml", null).body();
    assertTrue(doc.contains("\n  /backups/import:"), doc);
  }
}
