package dev.cairn.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.cairn.config.NotificationConfig;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every sink against a real receiver: a Vert.x HTTP server on loopback (webhook, Slack, heartbeat, Sentry),
 * GreenMail's SMTP server in this JVM, and the test PostgreSQL cluster for the history table.
 */
class SinksIT {
  static final String SECRET = "whsec_" + Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef"
      .getBytes(StandardCharsets.US_ASCII));
  static final Instant AT = Instant.parse("2026-12-02T01:02:03Z");
  static Vertx vertx;
  static WorkerExecutor pool;
  static Receiver receiver;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    pool = vertx.createSharedWorkerExecutor("cairn-notify-test", 2);
    receiver = Receiver.start(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    receiver.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void reset() {
    receiver.clear();
  }

  static Event failed() {
    return new Event("evt_0000000000000000000a", Event.Type.BACKUP_FAILED, AT, "app", null, "j-20261202T010000-00aa",
        Duration.ofSeconds(75), 0, "DB_CONNECT",
        "cannot connect to postgresql://backup:s3cret@db1:5432/app: connection refused", Hints.of("DB_CONNECT"),
        "https://cairn.example.com/#job=j-20261202T010000-00aa");
  }

  static Event succeeded() {
    return new Event("evt_0000000000000000000b", Event.Type.BACKUP_SUCCEEDED, AT, "app", "app-20261202T010000Z",
        "j-20261202T010000-00bb", Duration.ofSeconds(42), 3 << 20, null, null, null, null);
  }

  private static Sink sink(NotificationConfig.Sink kind, Set<String> events) {
    return Sinks.create(vertx, List.of(new NotificationConfig("s", kind, events)), pool, Clock.systemUTC()).byName()
        .get("s");
  }

  private static void deliver(Sink s, Event e) throws Exception {
    s.deliver(e).await(30, TimeUnit.SECONDS);
  }

  /** The receiver's side of Standard Webhooks, written from the spec rather than from WebhookSink. */
  private static String expectedSignature(String id, String ts, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring(6)), "HmacSHA256"));
    return "v1," + Base64.getEncoder().encodeToString(mac.doFinal((id + "." + ts + "." + body)
        .getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void aWebhookIsSignedPerStandardWebhooksAndItsBodyNamesTheFailure() throws Exception {
    deliver(sink(new NotificationConfig.Webhook(receiver.url("/hook"), SECRET), Set.of("all")), failed());
    Receiver.Request r = receiver.requests().get(0);
    assertEquals("POST", r.method());
    assertEquals("evt_0000000000000000000a", r.header("webhook-id"));
    long ts = Long.parseLong(r.header("webhook-timestamp"));
    assertTrue(Math.abs(Instant.now().getEpochSecond() - ts) < 60, "timestamp of the attempt, not of the event");
    assertEquals(expectedSignature(r.header("webhook-id"), r.header("webhook-timestamp"), r.body()),
        r.header("webhook-signature"));
    assertFalse(expectedSignature(r.header("webhook-id"), r.header("webhook-timestamp"), r.body() + " ")
        .equals(r.header("webhook-signature")), "a changed body does not verify");
    JsonObject body = r.json();
    assertEquals("backup.failed", body.getString("type"));
    JsonObject data = body.getJsonObject("data");
    assertEquals("app", data.getString("database"));
    assertEquals("j-20261202T010000-00aa", data.getString("jobId"));
    assertEquals(75.0, data.getDouble("durationSeconds"));
    assertEquals("DB_CONNECT", data.getJsonObject("error").getString("code"));
    assertNotNull(data.getJsonObject("error").getString("hint"));
    assertEquals("https://cairn.example.com/#job=j-20261202T010000-00aa", data.getString("link"));
    assertEquals(failed(), Event.fromJson(data), "the body is the event, whole");
  }

  @Test
  void slackGetsBlocksWithTheDatabaseErrorHintAndAConsoleButton() throws Exception {
    deliver(sink(new NotificationConfig.Slack(receiver.url("/services/T0/B0/xyz")), Set.of("failure")), failed());
    Receiver.Request r = receiver.requests().get(0);
    assertEquals("/services/T0/B0/xyz", r.path());
    JsonObject p = r.json();
    assertTrue(p.getString("text").contains("backup of app failed"), p.encode());
    JsonArray blocks = p.getJsonArray("blocks");
    assertEquals("header", blocks.getJsonObject(0).getString("type"));
    String all = blocks.encode();
    assertTrue(all.contains("*database*\\napp"), all);
    assertTrue(all.contains("*error*\\nDB_CONNECT"), all);
    assertTrue(all.contains("*duration*\\n75 s"), all);
    assertTrue(all.contains("*hint:*"), all);
    assertTrue(all.contains("\"url\":\"https://cairn.example.com/#job=j-20261202T010000-00aa\""), all);
  }

  @Test
  void aHeartbeatPingsStartSuccessAndFail() throws Exception {
    Sink hb = sink(new NotificationConfig.Heartbeat(receiver.url("/ping/uuid-1")),
        NotificationConfig.DEFAULT_HEARTBEAT_EVENTS);
    Event started = new Event(Event.newId(), Event.Type.BACKUP_STARTED, AT, "app", null, "j-1", null, 0, null, null,
        null, null);
    assertTrue(hb.wants(started) && hb.wants(succeeded()) && hb.wants(failed()));
    deliver(hb, started);
    deliver(hb, succeeded());
    deliver(hb, failed());
    assertEquals(List.of("/ping/uuid-1/start", "/ping/uuid-1", "/ping/uuid-1/fail"),
        receiver.requests().stream().map(Receiver.Request::path).toList());
    assertTrue(receiver.requests().get(2).body().contains("error: DB_CONNECT"));
  }

  @Test
  void sentryGetsAnEnvelopeWithTheEventAndNoSecret() throws Exception {
    Sink s = sink(new NotificationConfig.Sentry("http://publickey@127.0.0.1:" + receiver.port() + "/42"),
        Set.of("failure"));
    deliver(s, failed());
    Receiver.Request r = receiver.requests().get(0);
    assertEquals("/api/42/envelope/", r.path());
    assertTrue(r.header("x-sentry-auth").contains("sentry_key=publickey"), r.header("x-sentry-auth"));
    assertTrue(r.body().contains("backup of app failed"), r.body());
    assertTrue(r.body().contains("\"error_code\":\"DB_CONNECT\""), r.body());
    assertFalse(r.body().contains("s3cret"), "the password in the message is scrubbed: " + r.body());
    assertFalse(r.body().contains("backup:"), "no user name from the connection string: " + r.body());
    assertFalse(r.body().contains("server_name"), "no host name: " + r.body());
  }

  @Test
  void eMailReachesARealSmtpServerWithLogin() throws Exception {
    int port = CairnProcess.freePort();
    GreenMail smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.setUser("cairn@example.com", "cairn", "mail-pw");
    smtp.start();
    try {
      Sink mail = sink(new NotificationConfig.Email(new NotificationConfig.Smtp("127.0.0.1", port, false, "cairn",
          "mail-pw"), "cairn@example.com", List.of("dba@example.com", "ops@example.com")), Set.of("failure"));
      deliver(mail, failed());
      assertTrue(smtp.waitForIncomingEmail(10_000, 2));
      MimeMessage m = smtp.getReceivedMessages()[0];
      assertEquals("[cairn] backup of app failed", m.getSubject());
      String text = String.valueOf(m.getContent());
      assertTrue(text.contains("database: app") && text.contains("error: DB_CONNECT") && text.contains("hint: "),
          text);
      assertEquals("evt_0000000000000000000a", m.getHeader("X-Cairn-Event")[0]);
    } finally {
      smtp.stop();
    }
  }

  @Test
  void theHistoryTableIsCreatedAndGetsOneRowPerEventEvenWhenRetried() throws Exception {
    PgCluster pg = PgCluster.shared();
    String db = pg.newDatabase("history");
    Sink t = sink(new NotificationConfig.Postgres(pg.conninfo(db), "cairn.backup_history"), Set.of("all"));
    deliver(t, succeeded());
    deliver(t, succeeded());
    deliver(t, failed());
    assertEquals("evt_0000000000000000000a|backup.failed|app||75|DB_CONNECT\n"
            + "evt_0000000000000000000b|backup.succeeded|app|app-20261202T010000Z|42|",
        pg.psql(db, "SELECT event_id, type, database, backup_id, duration_seconds, error_code"
            + " FROM cairn.backup_history ORDER BY event_id").strip().replace(" ", ""));
    assertEquals("3145728", pg.psql(db, "SELECT bytes FROM cairn.backup_history WHERE type = 'backup.succeeded'")
        .strip());
  }

  @Test
  void aFailingReceiverIsReportedWithoutItsPathAndRetryableOnlyWhenItMayHeal() throws Exception {
    Sink hook = sink(new NotificationConfig.Webhook(receiver.url("/secret-token-path"), null), Set.of("all"));
    receiver.then(503, "7").then(404);
    DeliveryException busy = failure(hook);
    assertTrue(busy.retryable());
    assertEquals(Duration.ofSeconds(7), busy.retryAfter());
    DeliveryException gone = failure(hook);
    assertFalse(gone.retryable());
    for (DeliveryException e : List.of(busy, gone)) {
      assertFalse(e.getMessage().contains("secret-token-path"), e.getMessage());
      assertTrue(e.getMessage().startsWith("http://127.0.0.1:" + receiver.port() + " answered"), e.getMessage());
    }
  }

  private static DeliveryException failure(Sink s) throws Exception {
    try {
      deliver(s, failed());
    } catch (DeliveryException e) {
      return e;
    }
    throw new AssertionError("delivered");
  }

}
