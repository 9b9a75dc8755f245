package dev.cairn.cli;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The progress options of backup, restore and verify (a picocli mixin). */
final class ProgressOptions {
  @Option(names = "--progress", defaultValue = "auto", paramLabel = "auto|tty|plain|none",
      description = "progress on stderr: a line redrawn in place (tty), a line every 10 s and at each phase"
          + " (plain), or none; auto: tty on a terminal, else plain (default ${DEFAULT-VALUE})")
  String progress;

  // For tests and impatient logs: how often plain mode prints.
  @Option(names = "--progress-interval", defaultValue = "10s", hidden = true)
  String interval;

  ProgressReporter reporter(String what, PrintWriter err) {
    return new ProgressReporter(mode(), err, what, Duration.ofMillis(Cli.millis(interval)), Clock.systemUTC());
  }

  private ProgressReporter.Mode mode() {
    switch (progress.toLowerCase(Locale.ROOT)) {
      case "auto":
        return System.console() != null ? ProgressReporter.Mode.TTY : ProgressReporter.Mode.PLAIN;
      case "tty":
        return ProgressReporter.Mode.TTY;
      case "plain":
        return ProgressReporter.Mode.PLAIN;
      case "none":
        return ProgressReporter.Mode.NONE;
      default:
        throw new CairnException(ErrorCode.USAGE, "--progress " + progress + " is not one of auto, tty, plain, none");
    }
  }
}
