package dev.cairn.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class LogsTest {
  private static String format(String fmt, String message) {
    Logs.setup(fmt, "info");
    Handler h = Logger.getLogger("").getHandlers()[0];
    LogRecord r = new LogRecord(Level.INFO, message);
    r.setLoggerName("cairn.dump");
    return h.getFormatter().format(r);
  }

  @Test
  void jsonLinesCarryTheJobIdOfAJobLine() {
    String line = format("json", "[j-20261122T010000-ab12 app-20261122T010000Z] backup of app started");
    JsonObject o = new JsonObject(line.strip());
    assertEquals("j-20261122T010000-ab12", o.getString("job"));
    assertEquals("info", o.getString("level"));
    assertEquals("cairn.dump", o.getString("logger"));
    assertEquals(1, line.strip().split("\n").length, "one object per line");
  }

  @Test
  void textLinesStartWithTimeAndLevel() {
    String line = format("text", "[j-1] done");
    assertEquals(true, line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d INFO \\[j-1\\] done\\R"), line);
  }

  /** Regression: the agent's info lines ("http admin on ...") were sometimes never written after an early GC. */
  @Test
  void theLevelsSetSurviveAGarbageCollection() throws Exception {
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), LogsGcProbe.class.getName()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
    assertEquals(0, p.waitFor(), out);
    assertEquals("true false", out, "a cairn logger logs info, pgjdbc's stays silent");
  }
}
