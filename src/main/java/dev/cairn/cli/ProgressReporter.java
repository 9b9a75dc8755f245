package dev.cairn.cli;

import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Filter;
import java.util.logging.Handler;
import java.util.logging.Logger;

/**
 * Shows an engine job's progress on stderr, never stdout (a backup's id is the last line there). On a
 * terminal, one line redrawn in place at most five times a second; otherwise a plain line at each phase
 * change and every interval, so logs and CI see that a long restore is alive. The engine reports on its
 * context; a timer on that context redraws; the main thread closes: hence synchronized.
 */
final class ProgressReporter {
  enum Mode { TTY, PLAIN, NONE }

  static final Duration TTY_REDRAW = Duration.ofMillis(200);

  private final Mode mode;
  private final PrintWriter err;
  private final String what;
  private final long intervalMillis;
  private final Clock clock;
  private Progress latest;
  private long phaseStart;
  private long reportedAt;
  private long printedAt;
  private int drawnWidth;
  private boolean drawn;
  private boolean closed;
  private Vertx vertx;
  private long timer = -1;
  private final Map<Handler, Filter> logFilters = new HashMap<>();

  /** {@code what}: the command, which prefixes every line; {@code interval}: of plain lines. */
  ProgressReporter(Mode mode, PrintWriter err, String what, Duration interval, Clock clock) {
    this.mode = mode;
    this.err = err;
    this.what = what;
    this.intervalMillis = Math.max(1, interval.toMillis());
    this.clock = clock;
  }

  /** Starts the redraw timer on the caller's context (the engine job's). */
  synchronized void start(Vertx v) {
    if (mode == Mode.NONE || closed) {
      return;
    }
    long every = mode == Mode.TTY ? TTY_REDRAW.toMillis() : Math.min(intervalMillis, 1000);
    vertx = v;
    timer = v.setPeriodic(every, id -> tick(clock.millis()));
    if (mode == Mode.TTY) {
      wipeBeforeLogs();
    }
  }

  /**
   * A log line (stderr too) would be glued to the drawn line: the root log handlers wipe it first, and the
   * next tick draws it again below the log line. Undone by {@link #close}.
   */
  synchronized void wipeBeforeLogs() {
    for (Handler h : Logger.getLogger("").getHandlers()) {
      Filter before = h.getFilter();
      logFilters.put(h, before);
      h.setFilter(r -> {
        wipe();
        return before == null || before.isLoggable(r);
      });
    }
  }

  /** The engine's listener. */
  void report(Progress p) {
    report(p, clock.millis());
  }

  synchronized void report(Progress p, long now) {
    if (closed || mode == Mode.NONE) {
      return;
    }
    Phase before = latest == null ? null : latest.phase();
    latest = p;
    reportedAt = now;
    if (before != p.phase() || before == null) {
      phaseStart = now;
      if (mode == Mode.PLAIN) {
        print(now);
      }
    }
    // the first line at once, so a short command shows it too; then the timer's redraws, five a second
    if (mode == Mode.TTY && !drawn) {
      draw(now);
    }
  }

  /** The timer: redraws the terminal line, or prints a plain line when the interval has passed. */
  synchronized void tick(long now) {
    if (closed || latest == null) {
      return;
    }
    if (mode == Mode.TTY) {
      draw(now);
    } else if (mode == Mode.PLAIN && now - printedAt >= intervalMillis) {
      print(now);
    }
  }

  /** No more lines; a terminal line is wiped, so what the command prints next starts clean. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    logFilters.forEach(Handler::setFilter);
    wipe();
  }

  private synchronized void wipe() {
    if (drawnWidth > 0) {
      err.print("\r" + " ".repeat(drawnWidth) + "\r");
      err.flush();
      drawnWidth = 0;
    }
  }

  private void print(long now) {
    err.println(what + ": " + line(now));
    err.flush();
    printedAt = now;
  }

  private void draw(long now) {
    String s = what + ": " + line(now);
    int max = terminalWidth() - 1; // a line that wraps cannot be redrawn with \r
    if (s.length() > max) {
      s = s.substring(0, max);
    }
    // spaces over what a longer previous line left behind
    err.print("\r" + s + " ".repeat(Math.max(0, drawnWidth - s.length())));
    err.flush();
    drawn = true;
    drawnWidth = Math.max(drawnWidth, s.length());
  }

  /**
   * The rate is that of the phase up to the last report; the ETA counts down from it until the next one.
   * Once the estimate has run out, the line shows the elapsed time instead of "ETA 0 s".
   */
  private String line(long now) {
    Duration left = latest.remaining(Duration.ofMillis(reportedAt - phaseStart));
    Duration eta = left == null ? null : left.minusMillis(now - reportedAt);
    return ProgressLine.format(latest, Duration.ofMillis(now - phaseStart),
        eta == null || eta.isNegative() || eta.isZero() ? null : eta);
  }

  private static int terminalWidth() {
    try {
      return Math.max(20, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "80")));
    } catch (NumberFormatException e) {
      return 80;
    }
  }
}
