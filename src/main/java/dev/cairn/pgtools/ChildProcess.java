package dev.cairn.pgtools;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * Runs a client program to completion, keeping the last lines of its output for error messages.
 * Secrets travel in the environment only, never in arguments (visible in ps). Blocking: call from a worker.
 */
public final class ChildProcess {
  private static final int KEEP_LINES = 40;

  private volatile Process process;
  private volatile boolean cancelled;

  public record Result(int exitCode, List<String> output) {
    public String tail(int lines) {
      return String.join("\n", output.subList(Math.max(0, output.size() - lines), output.size()));
    }
  }

  public Result run(List<String> command, Map<String, String> extraEnv) throws IOException, InterruptedException {
    return run(command, extraEnv, KEEP_LINES);
  }

  /** Like {@link #run(List, Map)} but keeps every line of output (for listings such as pg_restore -l). */
  public Result runKeepingAll(List<String> command, Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    return run(command, extraEnv, Integer.MAX_VALUE);
  }

  private Result run(List<String> command, Map<String, String> extraEnv, int keep)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // The conninfo argument carries every setting; inherited PG* variables must not override it.
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(extraEnv);
    Process p = pb.start();
    process = p;
    if (cancelled) {
      p.destroy();
    }
    p.getOutputStream().close();
    ArrayDeque<String> lines = new ArrayDeque<>();
    try (InputStream in = p.getInputStream()) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          if (lines.size() == keep) {
            lines.removeFirst();
          }
          lines.add(line);
        }
      }
    }
    return new Result(p.waitFor(), List.copyOf(lines));
  }

  /** Stops the program and its children (SIGTERM, then SIGKILL after 5 s); safe from any thread. */
  public void cancel() {
    cancelled = true;
    Process p = process;
    if (p != null && p.isAlive()) {
      // Children first: one that outlives its parent keeps the output pipe open, and run() waiting.
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      p.onExit().orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> {
        p.destroyForcibly();
        return p;
      });
    }
  }

  public boolean cancelled() {
    return cancelled;
  }
}
