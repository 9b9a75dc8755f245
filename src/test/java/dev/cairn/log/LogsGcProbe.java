package dev.cairn.log;

import java.lang.ref.WeakReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Run in a JVM of its own by {@link LogsTest} (in the test JVM other classes hold cairn.* loggers, and with them
 * their parent): sets the log level up, collects garbage, then asks whether a logger made afterwards logs info.
 */
public final class LogsGcProbe {
  private LogsGcProbe() {}

  public static void main(String[] args) {
    Logs.setup("text", "info");
    WeakReference<Object> collected = new WeakReference<>(new Object());
    while (collected.get() != null) {
      System.gc();
    }
    System.gc();
    System.out.println(Logger.getLogger("cairn.made.after.gc").isLoggable(Level.INFO) + " "
        + Logger.getLogger("org.postgresql.made.after.gc").isLoggable(Level.SEVERE));
  }
}
