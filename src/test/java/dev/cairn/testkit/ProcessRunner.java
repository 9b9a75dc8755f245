package dev.cairn.testkit;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a child process to completion for tests. Output goes to temporary files, not pipes, so a child
 * that leaves a daemon behind holding its stdout (pg_ctl start) cannot hang us, and a chatty child can
 * never deadlock on a full pipe. Every run has a timeout; on expiry the process tree is killed.
 */
public final class ProcessRunner {

  /** Outcome of one run. {@code command} is the program name only: arguments may be sensitive. */
  public record Result(String command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** Throws an IllegalStateException carrying stderr unless the exit code is 0; returns this. */
    public Result check() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            command + " exited with " + exitCode + "\nstderr:\n" + stderr.strip()
                + (stdout.isBlank() ? "" : "\nstdout:\n" + abbreviate(stdout.strip(), 4000)));
      }
      return this;
    }
  }

  private ProcessRunner() {}

  /**
   * Runs {@code command}. {@code env} entries are added to (a value of null removes a variable from)
   * the inherited environment; every {@code PG*} variable of the parent is removed first so the
   * developer's own libpq settings never leak into tests. {@code stdin} may be null (reads /dev/null).
   */
  public static Result run(List<String> command, Map<String, String> env, byte[] stdin, Path workDir,
      Duration timeout) {
    Path out = null;
    Path err = null;
    Path in = null;
    try {
      out = Files.createTempFile("cairn-proc-", ".out");
      err = Files.createTempFile("cairn-proc-", ".err");
      ProcessBuilder pb = new ProcessBuilder(command);
      pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
      if (env != null) {
        env.forEach((k, v) -> {
          if (v == null) {
            pb.environment().remove(k);
          } else {
            pb.environment().put(k, v);
          }
        });
      }
      if (workDir != null) {
        pb.directory(workDir.toFile());
      }
      pb.redirectOutput(out.toFile());
      pb.redirectError(err.toFile());
      if (stdin != null) {
        in = Files.createTempFile("cairn-proc-", ".in");
        Files.write(in, stdin);
        pb.redirectInput(in.toFile());
      } else {
        pb.redirectInput(new File("/dev/null"));
      }
      Process p = pb.start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill(p);
        throw new IllegalStateException("interrupted while running " + name(command), e);
      }
      if (!done) {
        kill(p);
        throw new IllegalStateException(name(command) + " did not finish within " + timeout.toSeconds()
            + " s\nstderr so far:\n" + Files.readString(err, StandardCharsets.UTF_8).strip());
      }
      return new Result(name(command), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + name(command), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
      deleteQuietly(in);
    }
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private static String name(List<String> command) {
    // with runuser the interesting program comes after "--"
    int dashes = command.indexOf("--");
    String prog = dashes >= 0 && dashes + 1 < command.size() ? command.get(dashes + 1) : command.get(0);
    return Path.of(prog).getFileName().toString();
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // temp file; nothing to do
      }
    }
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "... (" + (s.length() - max) + " more chars)";
  }
}
