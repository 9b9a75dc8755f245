package dev.cairn.pitr;

import java.util.List;

/**
 * The command that runs this cairn again, to which {@code wal-get}'s arguments are added for restore_command:
 * this JVM, its class path (or {@code -Dcairn.classpath}, a copy the server's OS user can read), the CLI's main
 * class, with start-up options for a short process (each WAL file is one JVM start).
 */
public final class SelfCommand {
  static final String MAIN = "dev.cairn.cli.Main";

  private SelfCommand() {}

  public static List<String> of() {
    return List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-Xshare:auto", "-cp", System.getProperty("cairn.classpath",
        System.getProperty("java.class.path")), MAIN);
  }
}
