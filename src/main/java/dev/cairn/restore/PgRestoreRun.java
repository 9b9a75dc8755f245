package dev.cairn.restore;

import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.Scratch;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** One pg_restore run of the restore's schema file into the target, with --exit-on-error, on the io pool. */
final class PgRestoreRun {
  private static final Pattern MISSING_GLOBAL = Pattern.compile("(role|tablespace) \"[^\"]*\" does not exist");
  private static final Pattern SERVER_GONE = Pattern.compile(
      "terminating connection|server closed the connection|the database system is (shutting down|starting up)"
          + "|connection to server .* failed");

  private static final Pattern TOC_ENTRY = Pattern.compile("^-- TOC entry (\\d+) ");

  private final Pools pools;
  private final ConnSpec target;
  private final Restorer.Options opts;
  private final PgTool tool;
  private final Path schema;
  private final int serverWorkers;

  /** {@code serverWorkers}: the target's max_parallel_maintenance_workers, what a build gets at least. */
  PgRestoreRun(Pools pools, ConnSpec target, Restorer.Options opts, PgTool tool, Path schema, int serverWorkers) {
    this.serverWorkers = serverWorkers;
    this.pools = pools;
    this.target = target;
    this.opts = opts;
    this.tool = tool;
    this.schema = schema;
  }

  /**
   * {@code section}: null for all; {@code listFile}: null for every entry; {@code what}: what the run
   * builds, to start its error message (null: the command says it).
   */
  Future<Void> run(ChildProcess process, String section, int jobs, Path listFile, String what) {
    return pools.io().executeBlocking(() -> {
      List<String> cmd = new ArrayList<>(List.of(tool.path().toString(), "--exit-on-error", "--no-password",
          "--jobs=" + jobs));
      if (section != null) {
        cmd.add("--section=" + section);
      }
      if (opts.noOwner()) {
        cmd.add("--no-owner");
      }
      if (opts.noAcl()) {
        cmd.add("--no-acl");
      }
      if (listFile != null) {
        cmd.add("--use-list=" + listFile);
      }
      cmd.add("--dbname=" + target.toLibpqConninfo());
      cmd.add(schema.toString());
      java.util.Map<String, String> env = new java.util.HashMap<>(target.childEnv());
      if ("post-data".equals(section)) {
        // libpq takes PGOPTIONS only when the conninfo has no options of its own, which then win
        env.put("PGOPTIONS", "-c max_parallel_maintenance_workers=" + maintenanceWorkers(opts.jobs(), jobs,
            serverWorkers));
      }
      ChildProcess.Result r = process.run(cmd, env);
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_RESTORE_FAILED, (what == null ? "" : what + ": ") + "pg_restore"
            + (section == null ? "" : " --section=" + section) + " into " + target.describe() + " failed (exit code "
            + r.exitCode() + "): " + r.errorReport(6), hintFor(r.errors()));
      }
      return null;
    }, false);
  }

  /**
   * Parallel workers per index build of a post-data run of {@code runJobs} sessions: the server's own
   * setting, or more when the restore's {@code jobs} leave room, so that the last index left at the end of a
   * restore with --jobs 8 is built by a leader and seven workers. Never fewer than the server gives: a
   * build's workers are fixed when it starts, and with fewer, the last of several builds that end at
   * different times would run alone on one core (measured with none, --jobs 2, one table holding 90% of the
   * rows: its builds after the last load took 6.0 s instead of 3.6 s). The server caps it further
   * (max_parallel_workers, the table's size).
   */
  static int maintenanceWorkers(int jobs, int runJobs, int serverWorkers) {
    return Math.max(serverWorkers, jobs / Math.max(1, runJobs) - 1);
  }

  /** pg_restore's own listing of the schema file's entries of {@code section} (null: all), with dependencies. */
  Future<List<String>> list(ChildProcess process, String section) {
    return pools.io().executeBlocking(() -> {
      List<String> cmd = new ArrayList<>(List.of(tool.path().toString(), "--list", "--verbose"));
      if (section != null) {
        cmd.add("--section=" + section);
      }
      cmd.add(schema.toString());
      ChildProcess.Result r = process.runKeepingAll(cmd, java.util.Map.of());
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "pg_restore --list failed (exit code " + r.exitCode()
            + "): " + r.errorReport(6));
      }
      return r.output();
    }, false);
  }

  /**
   * The dump ids of the entries pg_restore runs for {@code section}: its listing shows the tables and
   * functions those entries depend on too, so the ids come from the "TOC entry" comments of its script,
   * written to a file in {@code scratch} (on stdout they would be interleaved with its messages).
   */
  Future<java.util.Set<String>> sectionIds(ChildProcess process, String section, Scratch scratch) {
    return pools.io().executeBlocking(() -> {
      String name = section + ".sql";
      ChildProcess.Result r = process.run(List.of(tool.path().toString(), "--section=" + section, "--verbose",
          "--file=" + scratch.file(name), schema.toString()), java.util.Map.of());
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "pg_restore --section=" + section + " --file failed"
            + " (exit code " + r.exitCode() + "): " + r.errorReport(6));
      }
      java.util.Set<String> ids = new java.util.HashSet<>();
      try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(scratch.read(name),
          java.nio.charset.StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          java.util.regex.Matcher m = TOC_ENTRY.matcher(line);
          if (m.find()) {
            ids.add(m.group(1));
          }
        }
      }
      return ids;
    }, false);
  }

  /** A hint only when pg_restore's errors say what to do: a missing role or tablespace, or a server restart. */
  static String hintFor(List<String> errors) {
    if (errors.stream().anyMatch(e -> MISSING_GLOBAL.matcher(e).find())) {
      return "roles or tablespaces are missing on this server: restore them first (--globals), or use"
          + " --no-owner / --no-acl";
    }
    if (errors.stream().anyMatch(e -> SERVER_GONE.matcher(e).find())) {
      return "the server shut down or restarted; run the restore again once it is up";
    }
    return null;
  }
}
