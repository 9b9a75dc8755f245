package dev.cairn.config;

import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads and validates {@code notifications:} and {@code http.public_url}; problems go to the loader's list. */
final class NotificationsLoader {
  static final List<String> ENTRY_KEYS = List.of("name", "slack", "webhook", "email", "heartbeat", "sentry",
      "postgres", "events");
  static final List<String> SINK_KINDS = List.of("slack", "webhook", "email", "heartbeat", "sentry", "postgres");
  static final List<String> SMTP_KEYS = List.of("host", "port", "starttls", "user", "password");
  /** Standard Webhooks: a secret of 24 to 64 random bytes; fewer than 16 would be guessable. */
  static final int MIN_SECRET_BYTES = 16;

  private final Map<String, String> env;
  private final Path home;

  NotificationsLoader(Map<String, String> env, Path home) {
    this.env = env;
    this.home = home;
  }

  List<NotificationConfig> load(Section top) {
    List<Section> list = top.sections("notifications");
    if (list == null) {
      return List.of();
    }
    List<NotificationConfig> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Section s = list.get(i);
      s.known(ENTRY_KEYS);
      String name = s.string("name", null);
      if (name == null && !s.has("name")) {
        s.problem("name", "missing (names the sink in logs, metrics and cairn notify test --sink, e.g. ops-slack)");
      } else if (name != null && !NotificationConfig.NAME.matcher(name).matches()) {
        s.problem("name", "\"" + name + "\" must be 1 to 63 letters, digits, _ or -, starting with a letter or digit");
        name = null;
      } else if (name != null && names.putIfAbsent(name, i) != null) {
        s.problem("name", "\"" + name + "\" is used twice (also notifications[" + names.get(name) + "])");
        name = null;
      }
      List<String> kinds = SINK_KINDS.stream().filter(s::has).toList();
      NotificationConfig.Sink sink = null;
      if (kinds.size() != 1) {
        s.problem(null, (kinds.isEmpty() ? "no sink" : "more than one sink (" + String.join(", ", kinds) + ")")
            + ": give exactly one of " + String.join(", ", SINK_KINDS));
      } else {
        sink = sink(kinds.get(0), s.section(kinds.get(0)));
      }
      Set<String> events = events(s, sink);
      if (name != null && sink != null) {
        out.add(new NotificationConfig(name, sink, events));
      }
    }
    return out;
  }

  private NotificationConfig.Sink sink(String kind, Section s) {
    switch (kind) {
      case "slack":
        s.known(List.of("webhook_url"));
        String hook = url(s, "webhook_url", true, "the incoming-webhook URL Slack gave you, e.g. ${SLACK_URL}");
        return hook == null ? null : new NotificationConfig.Slack(hook);
      case "webhook":
        s.known(List.of("url", "secret"));
        String url = url(s, "url", true, "where events are POSTed as JSON");
        String secret = secret(s);
        return url == null ? null : new NotificationConfig.Webhook(url, secret);
      case "email":
        return email(s);
      case "heartbeat":
        s.known(List.of("url"));
        String ping = url(s, "url", true, "the check's ping URL, e.g. https://hc-ping.com/<uuid>");
        return ping == null ? null : new NotificationConfig.Heartbeat(ping);
      case "sentry":
        s.known(List.of("dsn"));
        return sentry(s);
      default:
        s.known(List.of("url", "table"));
        return postgres(s);
    }
  }

  /** An absolute http(s) URL with a host; shown in problems only when written without ${VAR}. */
  private String url(Section s, String key, boolean required, String what) {
    Section.Scalar v = s.scalar(key);
    if (v == null) {
      if (required && !s.has(key)) {
        s.problem(key, "missing (" + what + ")");
      }
      return null;
    }
    String t = v.text().trim();
    String shown = v.substituted() ? "the value" : "\"" + t + "\"";
    try {
      URI u = new URI(t);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        s.problem(key, shown + " is not an http:// or https:// URL");
        return null;
      }
      if (u.getHost() == null || u.getHost().isEmpty()) {
        s.problem(key, shown + " has no host");
        return null;
      }
      return t;
    } catch (java.net.URISyntaxException e) {
      s.problem(key, shown + " is not a URL (" + (v.substituted() ? "malformed" : e.getReason()) + ")");
      return null;
    }
  }

  private static String secret(Section s) {
    Section.Scalar v = s.scalar("secret");
    if (v == null) {
      return null;
    }
    String t = v.text().trim();
    if (!t.startsWith("whsec_")) {
      s.problem("secret", "must start with whsec_ followed by base64 (Standard Webhooks);"
          + " make one with: echo whsec_$(head -c 32 /dev/urandom | base64)");
      return null;
    }
    try {
      if (Base64.getDecoder().decode(t.substring(6)).length < MIN_SECRET_BYTES) {
        s.problem("secret", "is shorter than " + MIN_SECRET_BYTES + " bytes after whsec_; use 32 random bytes");
        return null;
      }
    } catch (IllegalArgumentException e) {
      s.problem("secret", "is not base64 after whsec_");
      return null;
    }
    return t;
  }

  private NotificationConfig.Sink email(Section s) {
    s.known(List.of("smtp", "from", "to"));
    Section smtp = s.section("smtp");
    smtp.known(SMTP_KEYS);
    if (!s.has("smtp")) {
      s.problem("smtp", "missing (host, port, starttls, user, password of the mail server)");
    }
    String host = smtp.string("host", null);
    if (s.has("smtp") && (host == null || host.isBlank())) {
      smtp.problem("host", host == null && !smtp.has("host") ? "missing (the mail server, e.g. smtp.example.com)"
          : "is empty");
      host = null;
    }
    int port = smtp.integer("port", NotificationConfig.Smtp.DEFAULT_PORT, 1, 65535);
    boolean starttls = smtp.bool("starttls", NotificationConfig.Smtp.DEFAULT_STARTTLS);
    String user = smtp.string("user", null);
    String password = smtp.string("password", null);
    if ((user == null) != (password == null)) {
      smtp.problem(user == null ? "user" : "password", "missing: give both user and password, or neither");
    }
    String from = address(s, "from", s.string("from", null));
    List<String> to = new ArrayList<>();
    List<Map.Entry<String, Section.Scalar>> list = s.scalars("to");
    if (list == null || list.isEmpty()) {
      s.problem("to", "missing (a list of recipients, e.g. [dba@example.com])");
    } else {
      for (Map.Entry<String, Section.Scalar> e : list) {
        String a = e.getValue().text().trim();
        if (!a.matches("[^@\\s<>]+@[^@\\s<>]+")) {
          s.problem("to", "\"" + a + "\" (" + e.getKey() + ") is not an e-mail address");
        } else {
          to.add(a);
        }
      }
    }
    if (host == null || from == null || to.isEmpty()) {
      return null;
    }
    return new NotificationConfig.Email(new NotificationConfig.Smtp(host.trim(), port, starttls, user, password),
        from, to);
  }

  private static String address(Section s, String key, String v) {
    if (v == null) {
      if (!s.has(key)) {
        s.problem(key, "missing (the sender, e.g. cairn@example.com)");
      }
      return null;
    }
    if (!v.trim().matches("[^@\\s<>]+@[^@\\s<>]+")) {
      s.problem(key, "\"" + v.trim() + "\" is not an e-mail address");
      return null;
    }
    return v.trim();
  }

  /** {@code https://<key>@<host>/<project id>}, as Sentry shows it under Client Keys. */
  private NotificationConfig.Sink sentry(Section s) {
    String dsn = url(s, "dsn", true, "the project's DSN, e.g. ${SENTRY_DSN}");
    if (dsn == null) {
      return null;
    }
    URI u = URI.create(dsn);
    String path = u.getPath() == null ? "" : u.getPath();
    if (u.getUserInfo() == null || u.getUserInfo().isEmpty() || !path.matches(".*/[0-9]+/?")) {
      s.problem("dsn", "is not a Sentry DSN (https://<key>@<host>/<project id>)");
      return null;
    }
    return new NotificationConfig.Sentry(dsn);
  }

  private NotificationConfig.Sink postgres(Section s) {
    String url = s.string("url", null);
    if (url == null && !s.has("url")) {
      s.problem("url", "missing (a postgresql:// URI or key=value connection string of the history database)");
      return null;
    }
    if (url == null || url.isBlank()) {
      s.problem("url", "is empty");
      return null;
    }
    try {
      ConnSpec.parse(url, env, home);
    } catch (CairnException e) {
      s.problem("url", e.getMessage());
      return null;
    }
    String table = s.string("table", NotificationConfig.Postgres.DEFAULT_TABLE).trim();
    if (!NotificationConfig.Postgres.TABLE.matcher(table).matches()) {
      s.problem("table", "\"" + table + "\" must be [schema.]name in lowercase letters, digits and _");
      return null;
    }
    return new NotificationConfig.Postgres(url, table);
  }

  private static Set<String> events(Section s, NotificationConfig.Sink sink) {
    List<Map.Entry<String, Section.Scalar>> list = s.scalars("events");
    if (list == null) {
      return sink instanceof NotificationConfig.Heartbeat ? NotificationConfig.DEFAULT_HEARTBEAT_EVENTS
          : sink instanceof NotificationConfig.Postgres ? NotificationConfig.DEFAULT_HISTORY_EVENTS
          : NotificationConfig.DEFAULT_EVENTS;
    }
    if (list.isEmpty()) {
      s.problem("events", "empty list (give at least one of " + String.join(", ", NotificationConfig.EVENT_WORDS) + ")");
    }
    Set<String> out = new LinkedHashSet<>();
    for (Map.Entry<String, Section.Scalar> e : list) {
      String w = e.getValue().text().trim().toLowerCase(Locale.ROOT);
      if (!NotificationConfig.EVENT_WORDS.contains(w)) {
        s.problem("events", "\"" + w + "\" (" + e.getKey() + ") is not one of "
            + String.join(", ", NotificationConfig.EVENT_WORDS));
      } else {
        out.add(w);
      }
    }
    return out;
  }

  /** {@code http.public_url}: the console's address as people reach it, for links in messages; null when unset. */
  String publicUrl(Section http) {
    String u = url(http, "public_url", false, "");
    return u == null ? null : u.replaceAll("/+$", "");
  }
}
