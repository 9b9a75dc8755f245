package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** notifications:, http.public_url and slow_after: each sink's shape, and each rule's exact message. */
class NotificationsConfigTest {
  static final String SECRET = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
  @TempDir Path tmp;
  private Path repo;
  private final Map<String, String> env = Map.of("SLACK_URL", "https://hooks.slack.com/services/T0/B0/tokentoken",
      "HOOK_SECRET", SECRET, "SMTP_PW", "mail-password", "SENTRY_DSN", "https://abc123@o1.ingest.sentry.io/42",
      "BAD_URL", "ftp://secret-host/x");

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectory(tmp.resolve("repo"));
  }

  private String yaml(String notifications) {
    return "repository:\n  path: " + repo + "\ndatabases:\n  - name: app\n    url: postgresql://backup@db1/app\n"
        + "    schedule: \"0 2 * * *\"\n    slow_after: 30m\nhttp:\n  public_url: https://cairn.example.com/\n"
        + "notifications:\n" + notifications;
  }

  private CairnConfig load(String notifications) {
    return ConfigLoader.parse(yaml(notifications), "test.yaml", env, tmp);
  }

  private List<String> problems(String notifications) {
    CairnException e = assertThrows(CairnException.class, () -> load(notifications));
    List<String> lines = Arrays.asList(e.getMessage().split("\n"));
    return lines.subList(1, lines.size());
  }

  @Test
  void theIssuesExampleLoadsWithEachSinkAndItsFilter() {
    CairnConfig c = load("""
          - {name: ops-slack, slack: {webhook_url: "${SLACK_URL}"}, events: [failure, restore_test, stale]}
          - {name: pager, webhook: {url: "https://hooks.example/cairn", secret: "${HOOK_SECRET}"}, events: [all]}
          - {name: dba-mail, email: {smtp: {host: smtp.example, port: 587, starttls: true, user: cairn,
              password: "${SMTP_PW}"}, from: cairn@example.com, to: [dba@example.com]}, events: [failure, stale]}
          - {name: healthchecks, heartbeat: {url: "https://hc-ping.example/uuid"}}
          - {name: sentry, sentry: {dsn: "${SENTRY_DSN}"}, events: [failure]}
          - {name: history-table, postgres: {url: "postgresql://cairn@db9/ops", table: cairn.backup_history}}
        """);
    List<NotificationConfig> n = c.notifications();
    assertEquals(List.of("ops-slack", "pager", "dba-mail", "healthchecks", "sentry", "history-table"),
        n.stream().map(NotificationConfig::name).toList());
    assertEquals(new NotificationConfig.Slack("https://hooks.slack.com/services/T0/B0/tokentoken"), n.get(0).sink());
    assertEquals(Set.of("failure", "restore_test", "stale"), n.get(0).events());
    assertEquals(new NotificationConfig.Webhook("https://hooks.example/cairn", SECRET), n.get(1).sink());
    assertEquals(new NotificationConfig.Email(new NotificationConfig.Smtp("smtp.example", 587, true, "cairn",
        "mail-password"), "cairn@example.com", List.of("dba@example.com")), n.get(2).sink());
    assertEquals(NotificationConfig.DEFAULT_HEARTBEAT_EVENTS, n.get(3).events(), "a heartbeat pings every backup");
    assertEquals(NotificationConfig.DEFAULT_HISTORY_EVENTS, n.get(5).events(), "the history table takes every job");
    assertEquals("https://cairn.example.com", c.http().publicUrl(), "without the trailing slash");
    assertEquals(Duration.ofMinutes(30), c.databases().get(0).slowAfter());
  }

  @Test
  void secretsNeverShowInToString() {
    CairnConfig c = load("""
          - {name: a, slack: {webhook_url: "${SLACK_URL}"}}
          - {name: b, webhook: {url: "https://hooks.example/path-token", secret: "${HOOK_SECRET}"}}
          - {name: c, email: {smtp: {host: smtp.example, user: u, password: "${SMTP_PW}"}, from: a@b.c, to: [d@e.f]}}
          - {name: d, sentry: {dsn: "${SENTRY_DSN}"}}
          - {name: e, postgres: {url: "postgresql://u:pgpass@db9/ops"}}
          - {name: f, heartbeat: {url: "https://hc-ping.com/the-uuid"}}
        """);
    String all = c.notifications().toString();
    for (String secret : List.of("tokentoken", "path-token", SECRET.substring(6), "mail-password", "abc123", "pgpass",
        "the-uuid")) {
      assertFalse(all.contains(secret), secret + " in " + all);
    }
    assertTrue(all.contains("https://hooks.slack.com/***"), all);
  }

  @Test
  void eachEntryNeedsANameAndExactlyOneSink() {
    assertEquals(List.of("notifications[0].name: missing (names the sink in logs, metrics and cairn notify test"
            + " --sink, e.g. ops-slack)",
        "notifications[0]: no sink: give exactly one of slack, webhook, email, heartbeat, sentry, postgres"),
        problems("  - {events: [all]}\n"));
    assertEquals(List.of("notifications[0]: more than one sink (slack, heartbeat): give exactly one of slack, webhook,"
            + " email, heartbeat, sentry, postgres"),
        problems("  - {name: x, slack: {webhook_url: \"https://a.b/c\"}, heartbeat: {url: \"https://a.b/d\"}}\n"));
    assertEquals(List.of("notifications[1].name: \"x\" is used twice (also notifications[0])"),
        problems("  - {name: x, heartbeat: {url: \"https://a.b/c\"}}\n  - {name: x, heartbeat: {url: \"https://a.b/d\"}}\n"));
  }

  @Test
  void urlsMustBeHttpAndASubstitutedOneIsNotEchoed() {
    assertEquals(List.of("notifications[0].slack.webhook_url: the value is not an http:// or https:// URL"),
        problems("  - {name: x, slack: {webhook_url: \"${BAD_URL}\"}}\n"));
    assertEquals(List.of("notifications[0].heartbeat.url: \"hc-ping.com/uuid\" is not an http:// or https:// URL"),
        problems("  - {name: x, heartbeat: {url: hc-ping.com/uuid}}\n"));
    assertEquals(List.of("notifications[0].slack.webhook_url: environment variable NOPE is not set"),
        problems("  - {name: x, slack: {webhook_url: \"${NOPE}\"}}\n"));
  }

  @Test
  void aWebhookSecretIsAStandardWebhooksSecret() {
    assertEquals(List.of("notifications[0].webhook.secret: must start with whsec_ followed by base64 (Standard"
            + " Webhooks); make one with: echo whsec_$(head -c 32 /dev/urandom | base64)"),
        problems("  - {name: x, webhook: {url: \"https://a.b/c\", secret: plain}}\n"));
    assertEquals(List.of("notifications[0].webhook.secret: is shorter than 16 bytes after whsec_; use 32 random bytes"),
        problems("  - {name: x, webhook: {url: \"https://a.b/c\", secret: whsec_c2hvcnQ=}}\n"));
    assertEquals(List.of("notifications[0].webhook.secret: is not base64 after whsec_"),
        problems("  - {name: x, webhook: {url: \"https://a.b/c\", secret: \"whsec_!!!\"}}\n"));
    assertNull(((NotificationConfig.Webhook) load("  - {name: x, webhook: {url: \"https://a.b/c\"}}\n")
        .notifications().get(0).sink()).secret(), "unsigned without a secret");
  }

  @Test
  void eMailNeedsAServerASenderAndRecipientsAndBothCredentialsOrNone() {
    assertEquals(List.of("notifications[0].email.smtp.password: missing: give both user and password, or neither",
        "notifications[0].email.to: \"dba\" (notifications[0].email.to[0]) is not an e-mail address"),
        problems("  - {name: x, email: {smtp: {host: h, user: u}, from: a@b.c, to: [dba]}}\n"));
    assertEquals(List.of("notifications[0].email.smtp: missing (host, port, starttls, user, password of the mail server)",
        "notifications[0].email.from: missing (the sender, e.g. cairn@example.com)",
        "notifications[0].email.to: missing (a list of recipients, e.g. [dba@example.com])"),
        problems("  - {name: x, email: {}}\n"));
    NotificationConfig.Email m = (NotificationConfig.Email) load(
        "  - {name: x, email: {smtp: {host: h}, from: a@b.c, to: d@e.f}}\n").notifications().get(0).sink();
    assertEquals(new NotificationConfig.Smtp("h", 587, true, null, null), m.smtp(), "587 with STARTTLS by default");
  }

  @Test
  void sentryNeedsADsnAndTheHistoryTableAPlainName() {
    assertEquals(List.of("notifications[0].sentry.dsn: is not a Sentry DSN (https://<key>@<host>/<project id>)"),
        problems("  - {name: x, sentry: {dsn: \"https://sentry.io/\"}}\n"));
    assertEquals(List.of("notifications[0].postgres.table: \"Bad-Name\" must be [schema.]name in lowercase letters,"
            + " digits and _"),
        problems("  - {name: x, postgres: {url: \"postgresql://u@h/d\", table: Bad-Name}}\n"));
    assertEquals(NotificationConfig.Postgres.DEFAULT_TABLE, ((NotificationConfig.Postgres) load(
        "  - {name: x, postgres: {url: \"postgresql://u@h/d\"}}\n").notifications().get(0).sink()).table());
  }

  @Test
  void eventsAreKnownWords() {
    assertEquals(List.of("notifications[0].events: \"failures\" (notifications[0].events[1]) is not one of all, failure,"
            + " success, backup, started, slow, missed, stale, restore_test, verify, retention, storage"),
        problems("  - {name: x, heartbeat: {url: \"https://a.b/c\"}, events: [stale, failures]}\n"));
    assertEquals(NotificationConfig.DEFAULT_EVENTS, load("  - {name: x, slack: {webhook_url: \"https://a.b/c\"}}\n")
        .notifications().get(0).events(), "failures only by default");
  }

  @Test
  void theCommentedExampleInConfCairnYamlLoads() throws IOException {
    List<String> lines = Files.readAllLines(Path.of("conf/cairn.yaml"));
    int from = lines.indexOf("# notifications:");
    StringBuilder block = new StringBuilder();
    for (int i = from + 1; i < lines.size() && lines.get(i).startsWith("#   "); i++) {
      block.append(lines.get(i).substring(2)).append('\n');
    }
    Map<String, String> vars = Map.of("SLACK_URL", "https://hooks.slack.com/services/T/B/x", "HOOK_SECRET", SECRET,
        "SMTP_PW", "pw", "SENTRY_DSN", "https://k@o1.ingest.sentry.io/7", "HISTORY_DB_URL", "postgresql://u@h/d");
    CairnConfig c = ConfigLoader.parse(yaml(block.toString()), "example.yaml", vars, tmp);
    assertEquals(List.of("ops-slack", "pager", "dba-mail", "healthchecks", "sentry", "history-table"),
        c.notifications().stream().map(NotificationConfig::name).toList());
  }
}
