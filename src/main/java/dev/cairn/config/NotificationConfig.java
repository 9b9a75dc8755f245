package dev.cairn.config;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One notification sink: where alerts go and which events it wants ({@code notifications[]}). Sink
 * records hide their secrets (webhook URLs with tokens, signing secrets, passwords, DSNs) in toString.
 *
 * @param events filter words ({@link #EVENT_WORDS}); default {@code failure}, a heartbeat's {@code backup}
 */
public record NotificationConfig(String name, Sink sink, Set<String> events) {
  /** Sink names: they tag metrics and name outbox keys. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  /**
   * What a sink may subscribe to: {@code failure} is every event that needs a person (failed, slow or missed
   * backups, stale databases, failed restore tests and verifies, storage trouble) and their recoveries;
   * {@code all} everything but start pings ({@code started}).
   */
  public static final List<String> EVENT_WORDS = List.of("all", "failure", "success", "backup", "started", "slow",
      "missed", "stale", "restore_test", "verify", "retention", "storage");
  public static final Set<String> DEFAULT_EVENTS = Set.of("failure");
  /** A heartbeat pings start, success and failure of every backup. */
  public static final Set<String> DEFAULT_HEARTBEAT_EVENTS = Set.of("backup", "started");
  /** The history table keeps one row per finished job. */
  public static final Set<String> DEFAULT_HISTORY_EVENTS = Set.of("all");

  public NotificationConfig {
    events = Set.copyOf(events);
  }

  /** Which kind of receiver; exactly one per entry. */
  public sealed interface Sink permits Slack, Webhook, Email, Heartbeat, Sentry, Postgres {
    /** The key that names the kind in YAML ({@code slack}, {@code webhook}, ...). */
    String kind();
  }

  /** An incoming-webhook URL: the URL is the secret. */
  public record Slack(String webhookUrl) implements Sink {
    public String kind() {
      return "slack";
    }

    @Override
    public String toString() {
      return "Slack[webhookUrl=" + hostOnly(webhookUrl) + "]";
    }
  }

  /** A Standard Webhooks receiver; {@code secret} is {@code whsec_} and base64, null for unsigned. */
  public record Webhook(String url, String secret) implements Sink {
    public String kind() {
      return "webhook";
    }

    @Override
    public String toString() {
      return "Webhook[url=" + hostOnly(url) + ", secret=" + (secret == null ? "none" : "***") + "]";
    }
  }

  public record Smtp(String host, int port, boolean starttls, String user, String password) {
    public static final int DEFAULT_PORT = 587;
    public static final boolean DEFAULT_STARTTLS = true;

    @Override
    public String toString() {
      return "Smtp[host=" + host + ", port=" + port + ", starttls=" + starttls + ", user=" + user + ", password="
          + (password == null ? "none" : "***") + "]";
    }
  }

  public record Email(Smtp smtp, String from, List<String> to) implements Sink {
    public Email {
      to = List.copyOf(to);
    }

    public String kind() {
      return "email";
    }
  }

  /** A healthchecks.io-style ping URL: {@code /start}, the URL itself for success, {@code /fail}. */
  public record Heartbeat(String url) implements Sink {
    public String kind() {
      return "heartbeat";
    }

    @Override
    public String toString() {
      return "Heartbeat[url=" + hostOnly(url) + "]";
    }
  }

  public record Sentry(String dsn) implements Sink {
    public String kind() {
      return "sentry";
    }

    @Override
    public String toString() {
      return "Sentry[dsn=" + hostOnly(dsn) + "]";
    }
  }

  /** A table ({@code [schema.]name}) that gets one row per finished job; created when missing. */
  public record Postgres(String url, String table) implements Sink {
    public static final String DEFAULT_TABLE = "cairn_backup_history";
    public static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

    public String kind() {
      return "postgres";
    }

    @Override
    public String toString() {
      return "Postgres[url=" + DatabaseConfig.redact(url) + ", table=" + table + "]";
    }
  }

  /** {@code https://host} of a URL: the path and user info of webhook URLs and DSNs are credentials. */
  static String hostOnly(String url) {
    try {
      java.net.URI u = java.net.URI.create(url);
      return u.getScheme() + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort()) + "/***";
    } catch (RuntimeException e) {
      return "***";
    }
  }
}
