package dev.cairn.jobs;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends the agent's log lines that name a job ("[j-20261201T020000-1a2b] ...", also "[j-... app-...]") to the
 * jobs verticle, which keeps the last few per job for the console's job detail. Installed on the "cairn"
 * logger while the jobs verticle runs; the bus is the only thing it touches, so it may run on any thread.
 */
final class JobLogCapture extends Handler {
  /** The job id anywhere in the leading tag: "[j-...]", "[j-... app-20261201T020000Z]". */
  private static final Pattern JOB = Pattern.compile("^\\[[^\\]]*?\\b(j-\\d{8}T\\d{6}-[0-9a-f]{4})\\b[^\\]]*\\] ?");
  private static final Logger CAIRN = Logger.getLogger("cairn");

  private final Vertx vertx;

  JobLogCapture(Vertx vertx) {
    this.vertx = vertx;
    setLevel(Level.INFO);
  }

  void install() {
    CAIRN.addHandler(this);
  }

  void remove() {
    CAIRN.removeHandler(this);
  }

  @Override
  public void publish(LogRecord r) {
    String msg = r.getMessage();
    if (msg == null || !isLoggable(r)) {
      return;
    }
    Matcher m = JOB.matcher(msg);
    if (m.find()) {
      vertx.eventBus().send(Addresses.JOB_LOG, new Messages.JobLogLine(m.group(1), Instant.ofEpochMilli(r.getMillis()),
          r.getLevel().getName(), msg.substring(m.end())));
    }
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
