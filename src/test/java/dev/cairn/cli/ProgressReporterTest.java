package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** The reporter driven by explicit times: what it prints, and when. */
class ProgressReporterTest {
  private final StringWriter out = new StringWriter();

  private ProgressReporter reporter(ProgressReporter.Mode mode) {
    return new ProgressReporter(mode, new PrintWriter(out), "restore", Duration.ofSeconds(10), Clock.systemUTC());
  }

  private static Progress at(Phase phase, long done) {
    return new Progress(done, done / 10, 0, 4, done, 1000, phase);
  }

  @Test
  void plainModePrintsAtEachPhaseChangeAndThenOncePerInterval() {
    ProgressReporter r = reporter(ProgressReporter.Mode.PLAIN);
    r.report(at(Phase.PRE_DATA, 0), 0);
    r.report(at(Phase.COPYING, 0), 1_000);
    r.report(at(Phase.COPYING, 100), 2_000); // same phase: no line
    r.tick(3_000); // 2 s after the last line: none
    r.report(at(Phase.COPYING, 500), 11_000);
    r.tick(11_000); // 10 s after the last line
    r.tick(12_000);
    r.report(at(Phase.BUILDING_INDEXES, 1000), 13_000);
    r.tick(24_000);
    r.close();
    assertEquals(List.of(
        "restore: pre-data · 0.0 s · 0 B · 0 rows · tables 0/4",
        "restore: copying 0% · 0.0 s · 0 B · 0 rows · tables 0/4",
        "restore: copying 50% · 500 B · 50 rows · tables 0/4 · ETA 10 s",
        "restore: building indexes · 0.0 s · 1000 B · 100 rows · tables 0/4",
        "restore: building indexes · 11 s · 1000 B · 100 rows · tables 0/4"), out.toString().lines().toList());
  }

  @Test
  void ttyModeRedrawsOneLineInPlaceAndWipesItAtTheEnd() {
    ProgressReporter r = reporter(ProgressReporter.Mode.TTY);
    r.report(at(Phase.COPYING, 0), 0);
    String start = "restore: copying 0% · 0.0 s · 0 B · 0 rows · tables 0/4";
    assertEquals("\r" + start, out.toString(), "the first line is drawn at once");
    r.report(at(Phase.COPYING, 250), 1_000);
    assertEquals("\r" + start, out.toString(), "then by the timer, at most five times a second");
    r.tick(1_000);
    String first = "restore: copying 25% · 250 B · 25 rows · tables 0/4 · ETA 3.0 s";
    assertEquals("\r" + start + "\r" + first, out.toString());
    r.report(at(Phase.ANALYZE, 1000), 2_000);
    r.tick(2_000);
    String second = "restore: ANALYZE · 0.0 s · 1000 B · 100 rows · tables 0/4";
    assertTrue(second.length() < first.length());
    assertEquals("\r" + start + "\r" + first + "\r" + second + " ".repeat(first.length() - second.length()),
        out.toString(), "the shorter line is padded over the longer one");
    r.close();
    assertTrue(out.toString().endsWith("\r" + " ".repeat(first.length()) + "\r"), "wiped: " + out);
    assertTrue(!out.toString().contains("\n"), "never a newline on a terminal");
    r.tick(3_000);
    assertTrue(out.toString().endsWith(" \r"), "nothing after close");
  }

  @Test
  void theEtaCountsDownBetweenReportsAndGivesWayToTheElapsedTimeWhenItRunsOut() {
    ProgressReporter r = reporter(ProgressReporter.Mode.TTY);
    r.report(at(Phase.READING, 0), 0);
    r.report(at(Phase.READING, 500), 2_000); // half in 2 s: 2 s left
    r.tick(3_000);
    assertTrue(out.toString().endsWith("ETA 1.0 s"), out.toString());
    r.tick(4_500);
    assertTrue(out.toString().contains("reading 50% · 4.5 s · "), "past the estimate: no \"ETA 0 s\": " + out);
  }

  @Test
  void onATerminalALogLineWipesTheDrawnLineFirstAndTheLineComesBackBelowIt() {
    Logger root = Logger.getLogger("");
    Handler logs = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (isLoggable(r)) {
          out.write("LOG " + r.getMessage() + "\n");
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    root.addHandler(logs);
    try {
      ProgressReporter r = reporter(ProgressReporter.Mode.TTY);
      r.wipeBeforeLogs();
      r.report(at(Phase.PRE_DATA, 0), 0);
      r.tick(200);
      String line = "restore: pre-data · 0.2 s · 0 B · 0 rows · tables 0/4";
      Logger.getLogger("cairn.test").warning("into db1");
      r.tick(400);
      assertEquals("\r" + line.replace("0.2", "0.0") + "\r" + line + "\r" + " ".repeat(line.length())
          + "\rLOG into db1\n\r" + line.replace("0.2", "0.4"), out.toString());
      r.close();
      assertEquals(null, logs.getFilter(), "closing gives the log handlers back as they were");
    } finally {
      root.removeHandler(logs);
    }
  }

  @Test
  void noneModePrintsNothing() {
    ProgressReporter r = reporter(ProgressReporter.Mode.NONE);
    r.report(at(Phase.COPYING, 0), 0);
    r.tick(20_000);
    r.close();
    assertEquals("", out.toString());
  }
}
