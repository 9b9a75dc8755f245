package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.agent.Agent;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.HttpConfig;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GET /metrics over real HTTP against the in-process agent and the real test cluster: one database that
 * backs up, one whose server is unreachable (port 1).
 */
class MetricsIT {
  static final PgCluster PG = PgCluster.shared();
  /** One sample line: name, optional {labels}, value, optional timestamp. */
  static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\""
      + "(?:,[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\")*,?)?\\})? (\\S+)(?: -?\\d+)?");

  @TempDir static Path dir;
  static Agent agent;
  static String good;
  static int port;
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void start() throws Exception {
    good = PG.newDatabase("metrics");
    PG.psql(good, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 2000) g;");
    port = ApiAgent.freePort();
    String yaml = "repository:\n  path: " + dir.resolve("repo") + "\nhttp:\n  port: " + port + "\n"
        + "  rate_limit_per_minute: 0\n  tokens:\n"
        + "    - {name: op, role: operator, sha256: " + HttpConfig.sha256Hex(ApiAgent.OPERATOR) + "}\n"
        + "agent:\n  run_missed_on_start: false\n"
        + "databases:\n"
        + "  - name: " + good + "\n    url: " + PG.conninfo(good) + "\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n"
        + "  - name: unreachable\n    url: postgresql://127.0.0.1:1/nothing\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n";
    agent = Agent.start(ConfigLoader.parse(yaml, "metrics-test.yaml", Map.of(), dir), Clock.systemUTC())
        .await(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }

  static HttpResponse<String> send(int port, String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static JsonObject backup(String db) throws Exception {
    HttpResponse<String> r = send(port, "POST", "/api/v1/backups", ApiAgent.OPERATOR,
        new JsonObject().put("database", db).encode());
    assertEquals(202, r.statusCode(), r.body());
    String id = new JsonObject(r.body()).getJsonObject("job").getString("id");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      HttpResponse<String> j = send(port, "GET", "/api/v1/jobs/" + id, ApiAgent.OPERATOR, null);
      assertEquals(200, j.statusCode(), j.body());
      JsonObject job = new JsonObject(j.body());
      String state = job.getString("state");
      if (!state.equals("queued") && !state.equals("running")) {
        return job;
      }
      assertTrue(System.nanoTime() < end, "job " + id + " still " + state);
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  /** Parses the Prometheus text format strictly: every line is a comment or {@code name{labels} value}. */
  static Map<String, Double> parse(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        assertTrue(line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE "), line);
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      double v = switch (m.group(3)) {
        case "+Inf" -> Double.POSITIVE_INFINITY;
        case "-Inf" -> Double.NEGATIVE_INFINITY;
        default -> Double.parseDouble(m.group(3));
      };
      out.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), v);
    }
    return out;
  }

  static Map<String, Double> scrape() throws Exception {
    HttpResponse<String> r = send(port, "GET", "/metrics", null, null);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"), r.headers().toString());
    return parse(r.body());
  }

  static double value(Map<String, Double> metrics, String key) {
    Double v = metrics.get(key);
    assertNotNull(v, key + " in " + metrics.keySet());
    return v;
  }

  @Test
  void aSuccessfulAndAFailedBackupShowInTheMetrics() throws Exception {
    Map<String, Double> before = scrape(); // fills the cache: the backups below must still show at once
    String g = "{database=\"" + good + "\"}";
    assertEquals(0, value(before, "cairn_backups_kept" + g));
    assertEquals(0, value(before, "cairn_database_healthy" + g));
    assertEquals(0, value(before, "cairn_backup_failures_total{database=\"unreachable\"}"));

    Instant started = Instant.now();
    JsonObject ok = backup(good);
    assertEquals("succeeded", ok.getString("state"), ok.encode());
    JsonObject failed = backup("unreachable");
    assertEquals("failed", failed.getString("state"), failed.encode());

    Map<String, Double> m = scrape();
    double ts = value(m, "cairn_backup_last_success_timestamp_seconds" + g);
    assertTrue(ts >= started.getEpochSecond() - 1 && ts <= Instant.now().getEpochSecond() + 1, "timestamp " + ts);
    assertTrue(value(m, "cairn_backup_last_size_bytes" + g) > 0);
    assertTrue(value(m, "cairn_backup_last_duration_seconds" + g) >= 0);
    assertEquals(1, value(m, "cairn_backups_kept" + g));
    assertEquals(0, value(m, "cairn_backups_failed_verification" + g));
    assertEquals(0, value(m, "cairn_backup_last_verified_timestamp_seconds" + g), "not verified yet");
    assertEquals(1, value(m, "cairn_database_healthy" + g));
    assertEquals(0, value(m, "cairn_backup_failures_total" + g));
    assertTrue(value(m, "cairn_repository_bytes") >= value(m, "cairn_backup_last_size_bytes" + g));

    String u = "{database=\"unreachable\"}";
    assertEquals(1, value(m, "cairn_backup_failures_total" + u));
    assertEquals(0, value(m, "cairn_database_healthy" + u));
    assertEquals(0, value(m, "cairn_backups_kept" + u));
    assertEquals(0, value(m, "cairn_backup_last_success_timestamp_seconds" + u));

    assertEquals(1, value(m, "cairn_jobs{kind=\"backup\",state=\"succeeded\"}"));
    assertEquals(1, value(m, "cairn_jobs{kind=\"backup\",state=\"failed\"}"));
    assertEquals(0, value(m, "cairn_jobs{kind=\"backup\",state=\"running\"}"));
  }

  @Test
  void metricsArePublicByDefault() throws Exception {
    HttpResponse<String> r = send(port, "GET", "/metrics", null, null);
    assertEquals(200, r.statusCode());
    assertFalse(r.body().isBlank());
  }

  @Test
  void withMetricsPublicFalseATokenIsNeeded(@TempDir Path other) throws Exception {
    try (ApiAgent api = ApiAgent.start(other, "metrics_private", "  metrics_public: false\n")) {
      HttpResponse<String> none = api.get("/metrics", null);
      assertEquals(401, none.statusCode(), none.body());
      assertEquals(401, api.get("/metrics", ApiAgent.WRONG).statusCode());
      HttpResponse<String> viewer = api.get("/metrics", ApiAgent.VIEWER);
      assertEquals(200, viewer.statusCode(), viewer.body());
      Map<String, Double> m = parse(viewer.body());
      assertEquals(0, value(m, "cairn_backups_kept{database=\"" + api.db + "\"}"));
    }
  }
}
