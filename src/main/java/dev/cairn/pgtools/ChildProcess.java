package dev.cairn.pgtools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * Runs a client program to completion, keeping the last lines of its output and every error it reported
 * (bounded) for error messages.
 * Secrets travel in the environment only, never in arguments (visible in ps). Blocking: call from a worker.
 */
public final class ChildProcess {
  private static final int KEEP_LINES = 40;
  /** Errors kept word for word; the rest are only counted. */
  static final int KEEP_ERRORS = 20;
  private static final int COMMAND_CHARS = 200;
  private static final java.util.regex.Pattern ERROR_LINE =
      java.util.regex.Pattern.compile("(^[\\w.-]+: error: )|\\b(ERROR|FATAL|PANIC): ");
  /** The server's LINE, QUERY and CONTEXT lines come between an error and its HINT: only these end it. */
  private static final java.util.regex.Pattern PROGRAM_LINE =
      java.util.regex.Pattern.compile("^(pg_\\w+|psql|vacuumdb): ");
  private static final java.util.regex.Pattern DETAIL_LINE =
      java.util.regex.Pattern.compile("^(DETAIL|HINT): |^[\\w.-]+: (detail|hint): ");

  private volatile Process process;
  private volatile boolean cancelled;

  /**
   * {@code errors}: the first {@link #KEEP_ERRORS} errors, each its error line, the DETAIL and HINT lines
   * after it, and the first line of the statement that failed (it names the object); {@code errorCount}: all.
   */
  public record Result(int exitCode, List<String> output, List<String> errors, int errorCount) {
    public String tail(int lines) {
      return String.join("\n", output.subList(Math.max(0, output.size() - lines), output.size()));
    }

    /**
     * Every error the program reported with its detail and hint (a fixed tail can cut the error line off,
     * behind a long CONTEXT or "Command was:"), or the last {@code lines} lines when it reported none.
     */
    public String errorReport(int lines) {
      if (errors.isEmpty()) {
        return tail(lines);
      }
      return String.join("\n", errors) + (errorCount > errors.size() ? "\n(" + (errorCount - errors.size())
          + " more errors not shown, " + errorCount + " in all)" : "");
    }
  }

  /** Collects errors line by line as the output streams past. */
  static final class Errors {
    private final List<String> kept = new java.util.ArrayList<>();
    private final StringBuilder current = new StringBuilder();
    private int count;

    void accept(String line) {
      if (ERROR_LINE.matcher(line).find()) {
        flush();
        count++;
        if (count <= KEEP_ERRORS) {
          current.append(line);
        }
      } else if (DETAIL_LINE.matcher(line).find()) {
        if (!current.isEmpty()) {
          current.append('\n').append(line);
        }
      } else if (line.startsWith("Command was:")) {
        // names the object; the statement's further lines (it may be long, and hold anything) are left out
        if (!current.isEmpty()) {
          current.append('\n').append(line, 0, Math.min(line.length(), COMMAND_CHARS))
              .append(line.length() > COMMAND_CHARS ? " ..." : "");
        }
        flush();
      } else if (PROGRAM_LINE.matcher(line).find()) {
        flush();
      }
    }

    private void flush() {
      if (!current.isEmpty()) {
        kept.add(current.toString());
        current.setLength(0);
      }
    }

    Errors finish() {
      flush();
      return this;
    }

    List<String> kept() {
      return List.copyOf(kept);
    }

    int count() {
      return count;
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
    Errors errors = new Errors();
    try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.isBlank()) {
          errors.accept(line);
          if (lines.size() == keep) {
            lines.removeFirst();
          }
          lines.add(line);
        }
      }
    }
    errors.finish();
    return new Result(p.waitFor(), List.copyOf(lines), errors.kept(), errors.count());
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
