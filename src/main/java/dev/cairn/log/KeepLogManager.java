package dev.cairn.log;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager resets (removes every handler) in its own shutdown hook, racing the agent's stop
 * hook: the lines saying which backups were cancelled would be lost. This one keeps its handlers until the
 * JVM is gone. Installed by {@code Main.main} through {@code java.util.logging.manager}.
 */
public final class KeepLogManager extends LogManager {
  @Override
  public void reset() {
    if (!shuttingDown()) {
      super.reset();
    }
  }

  /** Whether the JVM runs its shutdown hooks (after System.exit, or a SIGINT/SIGTERM). */
  public static boolean shuttingDown() {
    try {
      Thread probe = new Thread(() -> {});
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
