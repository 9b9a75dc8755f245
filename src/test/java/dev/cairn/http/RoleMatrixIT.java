package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.VIEWER;
import static dev.cairn.http.ApiAgent.WRONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.HttpConfig.Role;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may call what: no token and a wrong token get 401, a too-low role 403, enough of a role the answer. */
class RoleMatrixIT {
  @TempDir Path dir;

  private record Endpoint(String method, String path, String body, Role role, int allowed) {}

  private static final Map<String, Role> ROLES = Map.of(VIEWER, Role.VIEWER, OPERATOR, Role.OPERATOR, ADMIN, Role.ADMIN);

  @Test
  void everyEndpointAnswers401WithoutOrWithAWrongToken403BelowItsRoleAndItsAnswerFromItsRoleUp() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_roles", "  rate_limit_per_minute: 0\n")) {
      JsonObject job = api.backup();
      String id = job.getString("backupId");
      List<Endpoint> endpoints = List.of(
          new Endpoint("GET", "/api/v1/backups", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/backups/" + id, null, Role.VIEWER, 200),
          new Endpoint("POST", "/api/v1/backups", "{\"database\":\"" + api.db + "\"}", Role.OPERATOR, 202),
          new Endpoint("DELETE", "/api/v1/backups/" + api.db + "-20000101T000000Z", null, Role.ADMIN, 404),
          new Endpoint("GET", "/api/v1/backups/" + id + "/archive", null, Role.OPERATOR, 200),
          new Endpoint("HEAD", "/api/v1/backups/" + id + "/archive", null, Role.OPERATOR, 200),
          new Endpoint("POST", "/api/v1/backups/" + id + "/download-ticket", null, Role.OPERATOR, 201),
          new Endpoint("POST", "/api/v1/backups/" + api.db + "-20000101T000000Z/verify", null, Role.OPERATOR, 404),
          new Endpoint("POST", "/api/v1/backups/" + api.db + "-20000101T000000Z/restore",
              "{\"target\":\"" + api.db + "\"}", Role.ADMIN, 404),
          // no body and no Content-Type: an empty upload, which is not an archive
          new Endpoint("POST", "/api/v1/backups/import", null, Role.ADMIN, 422),
          new Endpoint("GET", "/api/v1/jobs", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/jobs/" + job.getString("id"), null, Role.VIEWER, 200),
          new Endpoint("DELETE", "/api/v1/jobs/j-20000101T000000-abcd", null, Role.OPERATOR, 404),
          new Endpoint("GET", "/api/v1/whoami", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/schedules", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/stats", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/databases/" + api.db + "/retention-preview", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/repositories", null, Role.VIEWER, 200),
          new Endpoint("GET", "/api/v1/pitr", null, Role.VIEWER, 200),
          // this agent configures no clusters
          new Endpoint("POST", "/api/v1/pitr/main/test", null, Role.OPERATOR, 404),
          new Endpoint("POST", "/api/v1/retention/run", "{\"dryRun\":true}", Role.OPERATOR, 200),
          // this agent configures no notifications
          new Endpoint("POST", "/api/v1/notifications/test", "{}", Role.OPERATOR, 404));
      List<String> wrong = new ArrayList<>();
      for (Endpoint e : endpoints) {
        for (String token : new String[] {null, WRONG, VIEWER, OPERATOR, ADMIN}) {
          int expected = token == null || token.equals(WRONG) ? 401
              : ROLES.get(token).allows(e.role()) ? e.allowed() : 403;
          HttpResponse<String> r = api.send(e.method(), e.path(), token, e.body());
          String who = token == null ? "no token" : token.equals(WRONG) ? "wrong token" : ROLES.get(token).label();
          if (r.statusCode() != expected) {
            wrong.add(e.method() + " " + e.path() + " as " + who + ": " + r.statusCode() + " (expected " + expected + ") "
                + r.body());
          }
          if (expected == 401 && !r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer")) {
            wrong.add(e.method() + " " + e.path() + " as " + who + ": 401 without WWW-Authenticate: Bearer");
          }
        }
      }
      for (String open : List.of("/api/v1/health", "/api/v1/openapi.yaml")) {
        for (String token : new String[] {null, WRONG, VIEWER}) {
          int s = api.get(open, token).statusCode();
          if (s != 200) {
            wrong.add("GET " + open + " with " + token + ": " + s);
          }
        }
      }
      assertEquals(List.of(), wrong);
      api.waitFor(api.json(api.get("/api/v1/jobs?active=true", VIEWER), 200).getJsonArray("jobs").isEmpty()
          ? job.getString("id") : api.json(api.get("/api/v1/jobs?active=true", VIEWER), 200).getJsonArray("jobs")
          .getJsonObject(0).getString("id"));
    }
  }

  @Test
  void withoutConfiguredTokensOnlyHealthAndTheDocumentAreOpenAndTheRefusalSaysHowToMakeAToken() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_notokens", false, "", HttpClient.newHttpClient())) {
      HttpResponse<String> r = api.get("/api/v1/backups", ADMIN);
      assertEquals(401, r.statusCode());
      JsonObject e = new JsonObject(r.body()).getJsonObject("error");
      assertEquals("UNAUTHENTICATED", e.getString("code"));
      assertTrue(e.getString("hint").contains("cairn token --role admin"), e.encode());
      assertEquals(401, api.send("POST", "/api/v1/backups", null, "{\"database\":\"" + api.db + "\"}").statusCode());
      assertEquals(503, api.get("/api/v1/health", null).statusCode(), "no backup yet");
      assertEquals(200, api.get("/api/v1/openapi.yaml", null).statusCode());
    }
  }

  @Test
  void changingRequestsBeyondTheRateGet429WithRetryAfterPerToken() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_rate", "  rate_limit_per_minute: 3\n")) {
      String dry = "{\"dryRun\":true}";
      for (int i = 0; i < 3; i++) {
        assertEquals(200, api.send("POST", "/api/v1/retention/run", OPERATOR, dry).statusCode());
      }
      HttpResponse<String> limited = api.send("POST", "/api/v1/retention/run", OPERATOR, dry);
      assertEquals(429, limited.statusCode(), limited.body());
      assertEquals("RATE_LIMITED", new JsonObject(limited.body()).getJsonObject("error").getString("code"));
      long retry = Long.parseLong(limited.headers().firstValue("Retry-After").orElse("0"));
      assertTrue(retry >= 1 && retry <= 20, "one request per 20 s refills: " + retry);
      assertEquals(429, api.send("DELETE", "/api/v1/jobs/j-20000101T000000-abcd", OPERATOR, null).statusCode());
      assertEquals(200, api.send("POST", "/api/v1/retention/run", ADMIN, dry).statusCode(), "another token's own bucket");
      for (int i = 0; i < 10; i++) {
        assertEquals(200, api.get("/api/v1/jobs", OPERATOR).statusCode(), "reading is not limited");
      }
    }
  }

  @Test
  void everyChangingRequestIsAuditedWithTokenActionTargetAndOutcome() throws Exception {
    List<String> lines = Collections.synchronizedList(new ArrayList<>());
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger audit = Logger.getLogger("cairn.audit");
    audit.addHandler(h);
    try (ApiAgent api = ApiAgent.start(dir, "api_audit", "  rate_limit_per_minute: 0\n")) {
      api.send("POST", "/api/v1/retention/run", OPERATOR, "{\"dryRun\":true}");
      api.send("DELETE", "/api/v1/backups/" + api.db + "-20000101T000000Z", VIEWER, null);
      api.send("DELETE", "/api/v1/backups/" + api.db + "-20000101T000000Z", null, null);
      api.send("POST", "/api/v1/backups", ADMIN, "{\"database\":\"nope\"}");
      long end = System.nanoTime() + 5_000_000_000L;
      while (lines.size() < 4 && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("token=the-operator role=operator action=retention.run"
          + " target=all/dry-run") && l.endsWith("outcome=200")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("token=the-viewer role=viewer action=backup.delete target="
          + api.db + "-20000101T000000Z") && l.endsWith("outcome=403 FORBIDDEN")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("token=- role=- action=backup.delete")
          && l.endsWith("outcome=401 UNAUTHENTICATED")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("token=the-admin role=admin action=backup.start target=nope")
          && l.endsWith("outcome=404 DATABASE_NOT_FOUND")), lines.toString());
      assertTrue(Files.exists(api.repo));
    } finally {
      audit.removeHandler(h);
    }
  }
}
