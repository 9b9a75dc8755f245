package dev.cairn.log;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Log setup shared by the CLI and the agent: one line per record on stderr, plain text or JSON lines.
 * Job log lines start with "[job-id ...]"; the JSON form also carries that id as {@code job}.
 */
public final class Logs {
  private static final Pattern JOB = Pattern.compile("^\\[(\\S+?)[ \\]]");
  /**
   * Held here: the LogManager keeps loggers only weakly, so a level set on one nobody holds is lost at the next GC,
   * and the loggers made after it (cairn.http, say) then take the root's WARNING: the agent's info lines, "http
   * admin on ..." among them, were sometimes never written.
   */
  private static final Logger CAIRN = Logger.getLogger("cairn");
  private static final Logger PGJDBC = Logger.getLogger("org.postgresql");

  private Logs() {}

  public static void setup(String format, String level) {
    Level lvl = parse(level);
    Logger root = Logger.getLogger("");
    for (var h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler h = new ConsoleHandler();
    h.setLevel(lvl);
    h.setFormatter("json".equalsIgnoreCase(format) ? new JsonLines() : new Text(lvl.intValue() <= Level.FINE.intValue()));
    root.addHandler(h);
    root.setLevel(Level.WARNING);
    CAIRN.setLevel(lvl);
    // pgjdbc logs connection failures itself; they are reported once, as errors with codes.
    PGJDBC.setLevel(Level.OFF);
  }

  static Level parse(String level) {
    return switch (level == null ? "info" : level.toLowerCase(Locale.ROOT)) {
      case "debug", "fine" -> Level.FINE;
      case "trace", "finest" -> Level.FINEST;
      case "warn", "warning" -> Level.WARNING;
      case "error", "severe" -> Level.SEVERE;
      default -> Level.INFO;
    };
  }

  private static final class Text extends Formatter {
    private final boolean traces;

    Text(boolean traces) {
      this.traces = traces;
    }

    @Override
    public String format(LogRecord r) {
      return String.format(Locale.ROOT, "%tFT%<tT %s %s%n", r.getMillis(), r.getLevel().getName(), formatMessage(r))
          + (r.getThrown() != null && traces ? r.getThrown() + System.lineSeparator() : "");
    }
  }

  private static final class JsonLines extends Formatter {
    @Override
    public String format(LogRecord r) {
      String msg = formatMessage(r);
      JsonObject o = new JsonObject().put("ts", Instant.ofEpochMilli(r.getMillis()).toString())
          .put("level", r.getLevel().getName().toLowerCase(Locale.ROOT)).put("logger", r.getLoggerName());
      Matcher m = JOB.matcher(msg);
      if (m.find()) {
        o.put("job", m.group(1));
      }
      o.put("msg", msg);
      if (r.getThrown() != null) {
        o.put("error", String.valueOf(r.getThrown()));
      }
      return o.encode() + System.lineSeparator();
    }
  }
}
