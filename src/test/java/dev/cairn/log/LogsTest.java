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
}
