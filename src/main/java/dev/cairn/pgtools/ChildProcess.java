package dev.cairn.pgtools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs a client program, to completion ({@link #run}) or alongside the caller ({@link #start}), keeping the last
 * lines of its output and every error it reported (bounded) for error messages.
 * Secrets travel in the environment only, never in arguments (visible in ps). Blocking: call from a worker.
 */
public final class ChildProcess {
  private static final int KEEP_LINES = 40;
  /** Errors kept word for word; the rest are only counted. */
  static final int KEEP_ERRORS = 20;
  private static final int COMMAND_CHARS = 200;
  /** How long a stopped program has to exit before it is killed. */
  private static final long STOP_GRACE_SECONDS = 5;
  /** How long a started program's messages may go on after it exited (a child of its own can hold the pipe). */
  private static final long MESSAGES_END_MILLIS = 10_000;
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
    Process p = launch(command, extraEnv, true);
    Kept kept = new Kept(keep);
    readLines(p.getInputStream(), kept::accept);
    return kept.result(p.waitFor());
  }

  /** Where a started program's stdout goes: to the caller (a data stream), or with its stderr (messages). */
  public enum Stdout { DATA, MESSAGES }

  /**
   * Starts a program that runs alongside the caller. Its messages (stderr, and stdout with
   * {@link Stdout#MESSAGES}) are read on a thread of their own: each line given to {@code onLine}, the last
   * lines and the errors kept for {@link Started#finish}. With {@link Stdout#DATA} the caller reads
   * {@link Started#stdout}.
   */
  public Started start(List<String> command, Map<String, String> extraEnv, Stdout stdout, Consumer<String> onLine)
      throws IOException {
    Process p = launch(command, extraEnv, stdout == Stdout.MESSAGES);
    Kept kept = new Kept(KEEP_LINES);
    InputStream messages = stdout == Stdout.MESSAGES ? p.getInputStream() : p.getErrorStream();
    Thread reader = new Thread(() -> {
      try {
        readLines(messages, line -> {
          onLine.accept(line);
          kept.accept(line);
        });
      } catch (IOException e) {
        // the program ended: what was read is kept
      }
    }, "cairn-" + Path.of(command.get(0)).getFileName() + "-messages");
    reader.setDaemon(true);
    reader.start();
    return new Started(p, reader, kept);
  }

  /** A program started by {@link #start}. {@link #close} stops it unless it has exited. */
  public static final class Started implements AutoCloseable {
    private final Process process;
    private final Thread reader;
    private final Kept kept;

    private Started(Process process, Thread reader, Kept kept) {
      this.process = process;
      this.reader = reader;
      this.kept = kept;
    }

    /** The program's stdout, with {@link Stdout#DATA}. */
    public InputStream stdout() {
      return process.getInputStream();
    }

    public long pid() {
      return process.pid();
    }

    /** Waits at most {@code timeout} for the program to exit; true when it has. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for the program to exit and its messages to end: its exit code and what it said. */
    public Result finish() throws InterruptedException {
      int exit = process.waitFor();
      reader.join(MESSAGES_END_MILLIS);
      return kept.result(exit);
    }

    /** Stops the program and its children if it still runs: SIGTERM, then SIGKILL after 5 s. */
    @Override
    public void close() {
      if (!process.isAlive()) {
        return;
      }
      terminate(process);
      try {
        process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process.destroyForcibly();
    }
  }

  /** Starts the program without the inherited PG* variables; stopped at once when cancelled before. */
  private Process launch(List<String> command, Map<String, String> extraEnv, boolean mergeStderr)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(mergeStderr);
    // The conninfo argument carries every setting; inherited PG* variables must not override it.
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(extraEnv);
    Process p = pb.start();
    process = p;
    if (cancelled) {
      p.destroy();
    }
    p.getOutputStream().close();
    return p;
  }

  private static void readLines(InputStream in, Consumer<String> line) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String l = r.readLine(); l != null; l = r.readLine()) {
        line.accept(l);
      }
    }
  }

  /** The last lines of a program's output and the errors among them; filled by one thread, read by another. */
  private static final class Kept {
    private final int keep;
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private final Errors errors = new Errors();

    Kept(int keep) {
      this.keep = keep;
    }

    synchronized void accept(String line) {
      if (!line.isBlank()) {
        errors.accept(line);
        if (lines.size() == keep) {
          lines.removeFirst();
        }
        lines.add(line);
      }
    }

    synchronized Result result(int exitCode) {
      errors.finish();
      return new Result(exitCode, List.copyOf(lines), errors.kept(), errors.count());
    }
  }

  /** Stops the program and its children (SIGTERM, then SIGKILL after 5 s); safe from any thread. */
  public void cancel() {
    cancelled = true;
    Process p = process;
    if (p != null && p.isAlive()) {
      terminate(p);
      p.onExit().orTimeout(STOP_GRACE_SECONDS, TimeUnit.SECONDS).exceptionally(t -> {
        p.destroyForcibly();
        return p;
      });
    }
  }

  /** SIGTERM to the program's children, then to it: a child that outlives it keeps the output pipe open. */
  private static void terminate(Process p) {
    p.descendants().forEach(ProcessHandle::destroy);
    p.destroy();
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** The running program's pid, or -1. */
  public long pid() {
    Process p = process;
    return p != null && p.isAlive() ? p.pid() : -1;
  }
}
