package dev.cairn.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class during which Vert.x reported a blocked thread: blocking an event loop is a bug,
 * whatever the test asserted. Registered for every test class (META-INF/services, autodetection on).
 */
public final class NoBlockedThreads implements BeforeAllCallback, AfterAllCallback {
  static final String LOGGER = "io.vertx.core.impl.BlockedThreadChecker";
  private static final List<String> SEEN = new ArrayList<>();
  static final Handler RECORDER = new Handler() {
    @Override
    public void publish(LogRecord r) {
      String msg = r.getMessage();
      if (msg != null && msg.contains("has been blocked")) {
        synchronized (SEEN) {
          SEEN.add(msg);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  // Held: a logger only weakly referenced by the LogManager could be collected with its handler.
  private static final Logger CHECKER = Logger.getLogger(LOGGER);

  static {
    CHECKER.addHandler(RECORDER);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    take();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> seen = take();
    if (!seen.isEmpty()) {
      throw new AssertionError("Vert.x reported " + seen.size() + " blocked thread(s) during "
          + context.getDisplayName() + "; first: " + seen.get(0));
    }
  }

  static List<String> take() {
    synchronized (SEEN) {
      List<String> copy = new ArrayList<>(SEEN);
      SEEN.clear();
      return copy;
    }
  }
}
