package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The web console's files as the agent serves them, and GET /api/v1/whoami (over real HTTP). */
class ConsoleIT {
  @TempDir static Path dir;
  static ApiAgent api;

  @BeforeAll
  static void start() throws Exception {
    api = ApiAgent.start(dir, "api_console", "");
  }

  @AfterAll
  static void stop() throws Exception {
    api.close();
  }

  @Test
  void whoamiNamesTheTokenAndItsRole() throws Exception {
    assertEquals(new JsonObject().put("name", "the-viewer").put("role", "viewer"), api.json(api.get("/api/v1/whoami", VIEWER), 200));
    assertEquals(new JsonObject().put("name", "the-operator").put("role", "operator"),
        api.json(api.get("/api/v1/whoami", OPERATOR), 200));
    assertEquals(new JsonObject().put("name", "the-admin").put("role", "admin"), api.json(api.get("/api/v1/whoami", ADMIN), 200));
    assertEquals(401, api.get("/api/v1/whoami", null).statusCode());
    assertEquals(401, api.get("/api/v1/whoami", ApiAgent.WRONG).statusCode());
    assertEquals(400, api.get("/api/v1/whoami?x=1", VIEWER).statusCode());
  }

  @Test
  void rootServesTheConsolePageWithoutAToken() throws Exception {
    HttpResponse<String> r = api.get("/", null);
    assertEquals(200, r.statusCode());
    assertEquals("text/html; charset=utf-8", r.headers().firstValue("content-type").orElse(""));
    assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(""));
    assertTrue(r.headers().firstValue("content-security-policy").orElse("").contains("script-src 'self'"));
    assertEquals("nosniff", r.headers().firstValue("x-content-type-options").orElse(""));
    assertTrue(r.body().contains("<title>Cairn console</title>"), r.body());
    assertTrue(r.body().contains("console/app.js"));
  }

  @Test
  void staticFilesHaveTheirContentTypesAndCacheHeaders() throws Exception {
    for (String[] f : new String[][] {{"/console/app.js", "javascript"}, {"/console/app.css", "text/css"},
        {"/console/index.html", "text/html"}, {"/console/favicon.svg", "image/svg+xml"}}) {
      HttpResponse<String> r = api.get(f[0], null);
      assertEquals(200, r.statusCode(), f[0]);
      String type = r.headers().firstValue("content-type").orElse("");
      assertTrue(type.contains(f[1]), f[0] + ": " + type);
      assertTrue(r.headers().firstValue("cache-control").orElse("").contains("max-age=300"), f[0]);
      assertTrue(r.headers().firstValue("content-security-policy").isPresent(), f[0]);
    }
  }

  @Test
  void noDirectoryListingNoTraversalAndUnknownFilesAre404Json() throws Exception {
    for (String path : new String[] {"/console/", "/console/nope.js", "/console/../cairn/openapi.yaml",
        "/console/%2e%2e/openapi.yaml", "/console/..%2f..%2fopenapi.yaml", "/index.html"}) {
      HttpResponse<String> r = api.get(path, null);
      assertTrue(r.statusCode() == 404 || r.statusCode() == 400 || (r.statusCode() == 200 && r.body().contains("Cairn console")),
          path + " -> " + r.statusCode() + " " + r.body());
      assertFalse(r.body().contains("openapi: "), path + " leaked a file outside the console");
      assertFalse(r.body().contains("<li>"), path + " listed a directory");
    }
    assertEquals(404, api.get("/console/nope.js", null).statusCode());
  }
}
