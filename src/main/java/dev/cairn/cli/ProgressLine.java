package dev.cairn.cli;

import dev.cairn.jobs.Progress;
import java.time.Duration;
import java.util.Locale;

/**
 * One line of progress for people: "copying 45% · 1.2 GiB · 1,234,567 rows · tables 3/10 · ETA 1 m 20 s".
 * Only a measured phase gets a percent and an ETA; any other phase, or a measured one without a rate yet,
 * shows how long it has run instead ("building indexes · 1 m 20 s · ..."). Totals not known yet (before a
 * backup has read its catalog, before a restore reaches its data) are left out rather than shown as 0.
 */
final class ProgressLine {
  private ProgressLine() {}

  /** {@code inPhase}: how long the phase has run; {@code eta}: the rest of it, or null when unknown. */
  static String format(Progress p, Duration inPhase, Duration eta) {
    StringBuilder b = new StringBuilder(p.phase() == null ? "working" : p.phase().label());
    boolean measured = p.phase() != null && p.phase().measured();
    if (measured && p.workTotal() > 0) {
      b.append(' ').append(Math.min(99, 100 * p.workDone() / p.workTotal())).append('%');
    }
    if (eta == null) {
      b.append(" · ").append(duration(inPhase));
    }
    boolean totalsKnown = p.tablesTotal() > 0 || p.workTotal() > 0;
    if (totalsKnown || p.bytes() > 0 || p.rows() > 0) {
      b.append(" · ").append(Cli.bytes(p.bytes()))
          .append(" · ").append(String.format(Locale.ROOT, "%,d", p.rows())).append(p.rows() == 1 ? " row" : " rows");
    }
    if (totalsKnown) {
      b.append(" · tables ").append(p.tablesDone()).append('/').append(p.tablesTotal() > 0 ? p.tablesTotal() : "?");
    }
    if (eta != null) {
      b.append(" · ETA ").append(duration(eta));
    }
    return b.toString();
  }

  /** "0.4 s", "42 s", "1 m 20 s", "2 h 05 m". */
  static String duration(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d m %02d s", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d m", s / 3600, s % 3600 / 60);
  }
}
