package dev.cairn.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The human wording of an event, shared by Slack, e-mail and Sentry: one "label: value" line per fact. */
final class Text {
  private Text() {}

  record Line(String label, String value) {}

  static List<Line> facts(Event e) {
    List<Line> out = new ArrayList<>();
    add(out, "database", e.database());
    add(out, "backup", e.backupId());
    add(out, "job", e.jobId());
    add(out, "duration", e.duration() == null ? null : duration(e.duration()));
    add(out, "size", e.bytes() > 0 ? size(e.bytes()) : null);
    add(out, "error", e.errorCode());
    add(out, "message", e.message());
    add(out, "hint", e.hint());
    add(out, "console", e.link());
    return out;
  }

  private static void add(List<Line> out, String label, String value) {
    if (value != null && !value.isBlank()) {
      out.add(new Line(label, value));
    }
  }

  /** The whole message as plain text: the title, then the facts. */
  static String plain(Event e) {
    StringBuilder sb = new StringBuilder(e.title()).append("\n\n");
    for (Line l : facts(e)) {
      sb.append(l.label()).append(": ").append(l.value()).append('\n');
    }
    return sb.append("\nat ").append(e.at()).append(" (event ").append(e.id()).append(")\n").toString();
  }

  static String duration(Duration d) {
    long s = d.toSeconds();
    if (s < 120) {
      return s + " s";
    }
    if (s < 7200) {
      return s / 60 + " min " + s % 60 + " s";
    }
    return s / 3600 + " h " + s % 3600 / 60 + " min";
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }
}
