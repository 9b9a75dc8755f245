package dev.cairn.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The command line as a separate process (its own pid, its own leases), with stdout and stderr in a
 * log file, for tests of two processes sharing one repository.
 */
public final class CairnProcess implements AutoCloseable {
  private final Process process;
  private final Path log;

  private CairnProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static CairnProcess start(Path log, Object... args) throws IOException {
    return start(log, List.of(), args);
  }

  /** With these JVM options (e.g. -Djava.io.tmpdir=DIR). */
  public static CairnProcess start(Path log, List<String> jvmOptions, Object... args) throws IOException {
    return start(log, java.util.Map.of(), jvmOptions, args);
  }

  /** With these environment variables added (e.g. AWS_ACCESS_KEY_ID, a secret read as ${VAR}) and JVM options. */
  public static CairnProcess start(Path log, java.util.Map<String, String> env, List<String> jvmOptions,
      Object... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.cairn.cli.Main"));
    for (Object a : args) {
      cmd.add(String.valueOf(a));
    }
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    return new CairnProcess(pb.start(), log);
  }

  /** SIGTERM, as Ctrl-C or a service manager's stop: the JVM's shutdown hook runs. */
  public void interrupt() {
    process.destroy();
  }

  /** Whether the process has a child running (a pg_dump or pg_restore). */
  public boolean hasChildren() {
    return process.children().findAny().isPresent();
  }

  public long pid() {
    return process.pid();
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "(unreadable log: " + e + ")";
    }
  }

  /** The exit code; fails the test when the process does not exit in time. */
  public int waitFor(int seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new AssertionError("process did not exit within " + seconds + " s; log:\n" + log());
    }
    return process.exitValue();
  }

  /** Polls {@code cond} every 50 ms until it holds; fails after {@code seconds}, or if the process exits first. */
  public void await(BooleanSupplier cond, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!cond.getAsBoolean()) {
      if (!process.isAlive() && !cond.getAsBoolean()) {
        throw new AssertionError("the process exited (" + process.exitValue() + ") before " + what + "; log:\n" + log());
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting until " + what + "; log:\n" + log());
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }

  /** A TCP port free on loopback right now. */
  public static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * A directory with a wrapper of {@code tool} (pg_dump or pg_restore) that waits while {@code flag}
   * exists, so a backup or restore is reliably mid-flight; the real tool is {@code real}.
   */
  public static Path stalledTool(Path dir, String tool, Path real, Path flag) throws IOException {
    Path bin = Files.createDirectories(dir);
    Path wrapper = bin.resolve(tool);
    if (Files.isSymbolicLink(wrapper)) {
      Files.delete(wrapper); // a link to the real tool, left by an earlier call: never write through it
    }
    Files.writeString(wrapper, "#!/bin/sh\nif [ \"$1\" != --version ]; then\n  while [ -f " + flag
        + " ]; do sleep 0.05; done\nfi\nexec " + real + " \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    // the rest of a real bin directory: every backup also runs pg_dumpall (roles and tablespaces)
    for (String other : new String[] {"pg_dump", "pg_dumpall", "pg_restore"}) {
      Path link = bin.resolve(other);
      if (!Files.exists(link)) {
        Files.createSymbolicLink(link, real.resolveSibling(other));
      }
    }
    return bin;
  }
}
