package dev.cairn.cli;

import dev.cairn.config.RestoreTestConfig;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.restoretest.RestoreTestLog;
import dev.cairn.restoretest.RestoreTestRecord;
import dev.cairn.restoretest.RestoreTestResult;
import dev.cairn.restoretest.RestoreTester;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "test", description = "Restore a backup into a scratch database and prove it: row counts and content"
    + " digests of every table, sequences, schema, amcheck; then drop it.")
final class TestCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "ID|latest")
  String id;

  @Mixin RepoOptions repo;

  @Option(names = "--target", required = true, paramLabel = "CONNINFO|local", description = "a server to restore"
      + " into (the test creates and drops its own database there), or local: a throwaway cluster")
  String target;

  @Option(names = {"--database", "--name"}, paramLabel = "NAME", description = "with 'latest': the newest backup"
      + " of this name; required when the repository holds backups of several names")
  String database;

  @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "test only these tables")
  List<String> tables = new ArrayList<>();

  @Option(names = "--sample", paramLabel = "N", description = "test N tables: the biggest half and random others")
  int sample;

  @Option(names = "--keep-on-failure", description = "keep the scratch database (or local cluster) of a failed test")
  boolean keepOnFailure;

  @Option(names = "--no-amcheck", description = "skip bt_index_check of the btree indexes")
  boolean noAmcheck;

  @Option(names = "--timeout", defaultValue = "2h", description = "fail a test still running after this long"
      + " (default ${DEFAULT-VALUE})")
  String timeout;

  @Option(names = {"-j", "--jobs"}, defaultValue = "2")
  int jobs;

  @Option(names = "--pg-bin", paramLabel = "DIR", description = "directory of pg_restore, pg_dump (and initdb for local)")
  Path pgBin;

  @Option(names = {"-v", "--verbose"})
  boolean verbose;

  @Mixin ProgressOptions progress;

  @Mixin KeyOptions keys;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    Cli.setupLogging(verbose);
    if (jobs < 1 || jobs > 64) {
      throw new CairnException(ErrorCode.USAGE, "jobs must be between 1 and 64, not " + jobs);
    }
    if (sample < 0) {
      throw new CairnException(ErrorCode.USAGE, "--sample must be 1 or more, not " + sample);
    }
    Duration limit = Duration.ofMillis(timeoutMillis(timeout));
    Repository repository = repo.open().withKeys(repo.keys(keys.keys()));
    Backups.Entry e = Backups.resolve(repository, id, database, clock.instant());
    String where = RestoreTestConfig.LOCAL.equals(target) ? "a local cluster"
        : dev.cairn.conn.ConnSpec.parse(target).describe();
    cmd.commandLine().getErr().printf("restore test of backup %s into %s%n", e.id(), where);
    RestoreTester.Options opts = new RestoreTester.Options(target, tables, sample, List.of(), !noAmcheck,
        keepOnFailure, limit, jobs, pgBin);
    Runnable[] cancel = new Runnable[1];
    ProgressReporter shown = progress.reporter("test", cmd.commandLine().getErr());
    RestoreTestResult r;
    try {
      r = Cli.await(jobs, (vertx, pools) -> {
        RestoreTester tester = new RestoreTester(vertx, pools, opts, clock).onProgress(shown::report);
        cancel[0] = tester::cancel;
        shown.start(vertx);
        return tester.run(repository, e.id());
      }, cancel);
    } finally {
      shown.close();
    }
    try {
      RestoreTestRecord.record(repository, r, clock.instant());
      RestoreTestLog.add(repository, r);
    } catch (CairnException x) {
      cmd.commandLine().getErr().println("note: the result is not recorded in the catalog: " + x.getMessage());
    }
    PrintWriter out = cmd.commandLine().getOut();
    String times = String.format(Locale.ROOT, "restore %.1f s, test %.1f s", r.restoreMs() / 1000.0,
        r.durationMs() / 1000.0);
    if (!r.passed()) {
      r.problems().forEach(p -> out.println("FAIL " + p));
      out.printf("restore test of %s FAILED (%s)%s%n", e.id(), times, r.kept() == null ? "" : "; kept " + r.kept());
      throw new CairnException(ErrorCode.valueOf(r.errorCode()), r.message(), r.hint());
    }
    r.checked().forEach(c -> out.println("ok   " + c));
    out.printf("restore test of %s passed (%s)%n", e.id(), times);
    return 0;
  }

  private static long timeoutMillis(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("h")) {
      try {
        return Long.parseLong(t.substring(0, t.length() - 1)) * 3_600_000;
      } catch (NumberFormatException e) {
        throw new CairnException(ErrorCode.USAGE, "\"" + s + "\" is not a duration", "write e.g. 2h, 30m or 90s");
      }
    }
    return Cli.millis(s);
  }
}
