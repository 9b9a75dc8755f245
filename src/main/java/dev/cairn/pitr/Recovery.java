package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts a laid-down data directory and follows its log until recovery is over: promoted and accepting
 * connections (the moment reached is the last completed transaction PostgreSQL reports), or stopped (every
 * FATAL line and every wal-get complaint goes into the error). The log is {@code DATA/cairn-recovery.log};
 * the server keeps running afterwards.
 */
public final class Recovery {
  static final String LOG = "cairn-recovery.log";
  private static final int WAIT_SECONDS = 7 * 24 * 3600;
  private static final Pattern LAST_TX = Pattern.compile("last completed transaction was at log time (\\S+ \\S+)");
  private static final Pattern NEW_TLI = Pattern.compile("selected new timeline ID: (\\d+)");
  private static final DateTimeFormatter PG_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]X");

  /** @param reached the commit time of the last transaction replayed, or null when none was */
  public record Outcome(Instant reached, int timeline, int port, List<String> log) {}

  private final Path dataDir;
  private final OsUser user;
  private final Path pgCtl;
  private final Integer port;
  private final String serverOptions;

  Recovery(Path dataDir, OsUser user, Path pgCtl, Integer port, String serverOptions) {
    this.serverOptions = serverOptions;
    this.dataDir = dataDir;
    this.user = user;
    this.pgCtl = pgCtl;
    this.port = port;
  }

  /** What the log says so far; {@link #accept} is true once recovery is over, one way or the other. */
  private static final class Follow {
    final List<String> kept = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    Instant reached;
    int tli;
    boolean ready;

    boolean accept(String line) {
      if (kept.size() < 400) {
        kept.add(line);
      }
      Matcher m = LAST_TX.matcher(line);
      if (m.find()) {
        reached = OffsetDateTime.parse(m.group(1), PG_TIME).toInstant();
      }
      Matcher t = NEW_TLI.matcher(line);
      if (t.find()) {
        tli = Integer.parseInt(t.group(1));
      }
      if (line.contains("FATAL:") || line.contains("cairn wal-get:") || line.contains("PANIC:")
          || line.contains("invalid value for parameter")) {
        problems.add(line.replaceFirst("^.*?(FATAL:|PANIC:|cairn wal-get:|LOG:)", "$1").strip());
      }
      ready = line.contains("database system is ready to accept connections");
      return ready || line.contains("database system is shut down") || line.contains("aborting startup");
    }
  }

  Outcome run(String cluster, Target target) {
    Path log = dataDir.resolve(LOG);
    try {
      Files.deleteIfExists(log);
      // the settings only for this start: logs where cairn reads them, times in UTC, read-only until promoted
      List<String> start = user.command(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-l", log.toString(), "-o",
          "-c logging_collector=off -c log_timezone=UTC -c hot_standby=off" + (port == null ? "" : " -p " + port) + " "
          + serverOptions, "-t", String.valueOf(WAIT_SECONDS), "start"));
      // pg_ctl waits until the server runs (read-only recovery counts) or fails early (settings, a missing file);
      // read-only is off, so it waits for the whole replay: no 60 s default, however much WAL there is
      Process ctl = new ProcessBuilder(start).redirectErrorStream(true).start();
      ctl.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
      boolean running = ctl.waitFor() == 0;
      Follow f = new Follow();
      if (!running) {
        for (String line : Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.<String>of()) {
          f.accept(line);
        }
      } else {
        // --pid: the follow ends when the postmaster does, even one killed without a word in its log
        String pid = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8).get(0).strip();
        Process tail = new ProcessBuilder("tail", "-n", "+1", "--pid=" + pid, "-F", log.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(tail.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = r.readLine(); line != null && !f.accept(line); line = r.readLine()) {
            // follows until promoted or stopped
          }
        } finally {
          tail.destroy();
        }
        if (f.ready) {
          return new Outcome(f.reached, f.tli, port == null ? 0 : port, f.kept);
        }
      }
      List<String> problems = f.problems;
      throw new CairnException(ErrorCode.RESTORE_MISMATCH, "recovery of cluster " + cluster + " to " + target + " in "
          + dataDir + " failed: " + (problems.isEmpty() ? "the server stopped" : String.join("; ", problems)),
          "the server log is " + log);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, "cannot start PostgreSQL in " + dataDir + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "recovery of cluster " + cluster + " interrupted");
    }
  }
}
