package dev.cairn.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.Main;
import dev.cairn.config.HttpConfig;
import dev.cairn.testkit.CairnProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as a real process with a signed webhook: an alert still being retried when the agent is killed
 * (kill -9) is delivered after it starts again; the API and the CLI send test messages. The database is a
 * closed port, so the missed run at start fails at once: no PostgreSQL needed.
 */
class AgentNotifyIT {
  static final String TOKEN = "notify-operator-token";
  static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString(
      "the-signing-secret-of-the-pager!".getBytes(StandardCharsets.US_ASCII));
  static Vertx vertx;
  static Receiver receiver;

  @TempDir Path dir;
  Path config;
  Path repo;
  int port;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    receiver = Receiver.start(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    receiver.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() throws Exception {
    receiver.clear();
    repo = dir.resolve("repo");
    port = CairnProcess.freePort();
    config = dir.resolve("cairn.yaml");
    Files.writeString(config, "repository:\n  path: " + repo + "\nhttp:\n  port: " + port
        + "\n  rate_limit_per_minute: 0\n  public_url: https://cairn.example.com/\n  tokens:\n"
        + "    - {name: op, role: operator, sha256: " + HttpConfig.sha256Hex(TOKEN) + "}\n"
        + "databases:\n  - name: app\n    url: postgresql://nobody@127.0.0.1:" + CairnProcess.freePort()
        + "/app?connect_timeout=2\n    schedule: \"@yearly\"\n    max_age: 400d\n"
        + "notifications:\n  - name: pager\n    webhook: {url: \"" + receiver.url("/hook")
        + "\", secret: \"${HOOK_SECRET}\"}\n    events: [failure]\n");
  }

  private CairnProcess agent(String log) throws Exception {
    return CairnProcess.start(dir.resolve(log), Map.of("HOOK_SECRET", SECRET), List.of(), "agent", "--config", config);
  }

  private static boolean signed(Receiver.Request r) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
    String want = "v1," + Base64.getEncoder().encodeToString(mac.doFinal((r.header("webhook-id") + "."
        + r.header("webhook-timestamp") + "." + r.body()).getBytes(StandardCharsets.UTF_8)));
    return want.equals(r.header("webhook-signature"));
  }

  private HttpResponse<String> http(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anAlertQueuedWhenTheAgentIsKilledIsDeliveredAfterItRestarts() throws Exception {
    receiver.otherwise(503);
    String id;
    try (CairnProcess first = agent("agent-1.log")) {
      // the missed run's alert comes first; the failed backup's waits behind it (one sink, in order)
      Receiver.Request failed = receiver.await(r -> r.json().getString("type").equals("backup.missed"), 60,
          "the missed run's alert (answered 503)");
      id = failed.header("webhook-id");
      assertTrue(signed(failed), "signed with the secret from the environment");
      assertEquals("https://cairn.example.com/#job=" + failed.json().getJsonObject("data").getString("jobId"),
          failed.json().getJsonObject("data").getString("link"));
      Path pending = repo.resolve("notify/outbox/" + id + ".pager.json");
      first.await(() -> Files.exists(pending), 10, "the alert is in the outbox");
      Runtime.getRuntime().exec(new String[] {"kill", "-9", Long.toString(first.pid())}).waitFor();
      first.waitFor(10);
      assertFalse(first.log().contains(SECRET.substring(6)), "the secret is never logged");
    }
    receiver.clear();
    try (CairnProcess second = agent("agent-2.log")) {
      Receiver.Request delivered = receiver.await(r -> id.equals(r.header("webhook-id")) && r.answered() == 200, 60,
          "the alert from before the kill");
      assertTrue(signed(delivered));
      assertEquals("backup.missed", delivered.json().getString("type"));
      second.await(() -> !Files.exists(repo.resolve("notify/outbox/" + id + ".pager.json")), 10,
          "the delivered alert leaves the outbox");
      second.await(() -> second.log().contains("http admin on"), 30, "the API is up");

      JsonObject test = new JsonObject(http("POST", "/api/v1/notifications/test", "{}").body());
      assertEquals(true, test.getBoolean("delivered"), test.encode());
      assertEquals("pager", test.getJsonArray("sinks").getJsonObject(0).getString("sink"));
      receiver.await(r -> r.json().getString("type").equals("test"), 10, "the test message");
      HttpResponse<String> unknown = http("POST", "/api/v1/notifications/test", "{\"sink\": \"nope\"}");
      assertEquals(404, unknown.statusCode(), unknown.body());

      String metrics = http("GET", "/metrics", null).body();
      assertTrue(metrics.contains("cairn_notifications_sent_total{kind=\"webhook\",sink=\"pager\"}"), metrics);
      assertFalse(second.log().contains(SECRET.substring(6)), "the secret is never logged");
      second.interrupt();
      second.waitFor(30);
    }
  }

  @Test
  void notifyTestReportsEachSinkAndExitsElevenWhenOneFails() throws Exception {
    int closed = CairnProcess.freePort();
    Files.writeString(config, Files.readString(config).replace("${HOOK_SECRET}", SECRET)
        + "  - name: dead-slack\n    slack: {webhook_url: \"http://127.0.0.1:" + closed + "/services/T/B/x\"}\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc = Main.run(new String[] {"notify", "test", "--config", config.toString()}, new PrintWriter(out),
        new PrintWriter(err));
    assertEquals(12, rc, out + "\n" + err);
    assertTrue(out.toString().contains("delivered  pager (webhook)"), out.toString());
    assertTrue(out.toString().contains("FAILED     dead-slack (slack): http://127.0.0.1:" + closed + " unreachable"),
        out.toString());
    assertFalse(out.toString().contains("/services/T/B/x"), "the webhook URL's secret path is not printed");
    assertTrue(err.toString().contains("NOTIFY_FAILED: 1 of 2 notification sinks did not take the test message"),
        err.toString());
    assertEquals("test", receiver.requests().get(0).json().getString("type"));

    assertEquals(0, Main.run(new String[] {"notify", "test", "--config", config.toString(), "--sink", "pager"},
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())));
    assertEquals(2, receiver.requests().size(), "--sink sends to that sink only");
  }
}
