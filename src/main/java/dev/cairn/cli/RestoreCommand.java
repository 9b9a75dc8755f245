package dev.cairn.cli;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.restore.DryRun;
import dev.cairn.restore.Restorer;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.storage.s3.S3Storage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore", description = "Restore a backup into an empty database; checks every table's row count.")
final class RestoreCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Parameters(index = "0", arity = "0..1", paramLabel = "ID|latest", description = "the backup (not with --at)")
  String id;

  @Option(names = "--at", paramLabel = "TIME|LSN|NAME|latest", description = "restore from the cluster as of this"
      + " moment (point-in-time recovery into a temporary cluster), with --cluster and --database")
  String at;

  @Option(names = "--cluster", paramLabel = "NAME", description = "with --at: the cluster whose WAL to replay")
  String cluster;

  @Mixin RepoOptions repo;

  @Option(names = "--db", required = true, paramLabel = "CONNINFO", description = "target database")
  String db;

  @Option(names = "--create", description = "create the target database")
  boolean create;

  @Option(names = "--clean", description = "drop the target database and create it anew (asks first unless --yes)")
  boolean clean;

  @Option(names = "--yes", description = "do not ask before --clean")
  boolean yes;

  @Option(names = {"-j", "--jobs"}, defaultValue = "2", description = "parallel COPY streams and pg_restore jobs (default ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--table", paramLabel = "SCHEMA.TABLE", description = "restore only these tables' data")
  List<String> tables = new ArrayList<>();

  @Option(names = {"--database", "--name"}, paramLabel = "NAME", description = "with 'latest': the newest backup"
      + " of this name (the id's prefix); required when the repository holds backups of several names")
  String database;

  Clock clock = Clock.systemUTC();

  @Option(names = "--no-owner", description = "do not restore ownership (pg_restore --no-owner)")
  boolean noOwner;

  @Option(names = "--no-acl", description = "do not restore privileges (pg_restore --no-acl)")
  boolean noAcl;

  @Option(names = "--globals", description = "first create the backup's roles and tablespaces that the target"
      + " server lacks (existing ones are never changed)")
  boolean globals;

  @Option(names = "--dry-run", description = "check everything (archive, target, roles, extensions, pg_restore,"
      + " free space) and say what would be done; change nothing")
  boolean dryRun;

  @Option(names = "--pg-bin", paramLabel = "DIR", description = "directory of pg_restore")
  Path pgBin;

  @Option(names = {"-v", "--verbose"})
  boolean verbose;

  @Mixin ProgressOptions progress;

  @Mixin KeyOptions keys;

  Terminal terminal = Terminal.CONSOLE;

  @Override
  public Integer call() {
    Cli.setupLogging(verbose);
    if (jobs < 1 || jobs > 64) {
      throw new CairnException(ErrorCode.USAGE, "jobs must be between 1 and 64, not " + jobs);
    }
    if (at != null) {
      String moment = at;
      at = null;
      return RestoreAt.run(repo.localDir("restore --at"), cluster, moment, database, tables, db, jobs, pgBin,
          cmd.commandLine().getErr(), (staged, backupId) -> {
            repo.useDir(staged);
            id = backupId;
            database = null;
            return call();
          });
    }
    if (id == null) {
      throw new CairnException(ErrorCode.USAGE, "give the backup to restore (an id or latest), or --at",
          "cairn list --repo DIR lists the backups");
    }
    ConnSpec target = ConnSpec.parse(db);
    Repository repository = repo.open().withKeys(repo.keys(keys.keys()));
    Backups.Entry e = Backups.resolve(repository, id, database, clock.instant());
    if (clean && !yes && !dryRun) {
      confirmClean(e, target);
    }
    // a listing's entry may hold only the catalog's summary: what the backup holds is in its manifest
    Manifest manifest = e.manifest() != null ? e.manifest() : Backups.read(repository, e.id()).manifest();
    if (manifest != null) {
      // on stderr with the progress: stdout holds the result alone
      cmd.commandLine().getErr().printf((dryRun ? "dry run: checking, not " : "")
          + "restoring %s from backup %s into %s%s%n",
          Restorer.describe(manifest.content()), e.id(), target.describe(), globals ? ", with its roles and"
              + " tablespaces" : "");
    }
    Restorer.Options opts = new Restorer.Options(jobs, create || clean, clean, tables, noOwner, noAcl, globals,
        pgBin);
    if (dryRun) {
      return dryRun(target, opts, () -> repository.openArchive(e.id(), "cairn restore --dry-run"), e.id());
    }
    long readBefore = repository.storage() instanceof S3Storage s3 ? s3.bytesRead() : 0;
    Runnable[] cancel = new Runnable[1];
    ProgressReporter shown = progress.reporter("restore", cmd.commandLine().getErr());
    long t0 = System.nanoTime();
    Restorer.Result r;
    try {
      r = Cli.await(jobs, (vertx, pools) -> {
        Restorer restorer = new Restorer(vertx, pools, target, opts).onProgress(shown::report);
        cancel[0] = restorer::cancel;
        shown.start(vertx);
        return restorer.run(() -> repository.openArchive(e.id(), "cairn restore"));
      }, cancel);
    } finally {
      shown.close();
    }
    if (repository.storage() instanceof S3Storage s3) {
      // what ranged reads saved: a single-table restore fetches that table's chunks only
      cmd.commandLine().getErr().printf("read %d bytes of the %d-byte archive from %s%n", s3.bytesRead() - readBefore,
          e.bytes(), repository.location());
    }
    if (r.manifest().content() == Manifest.Content.SCHEMA_ONLY) {
      cmd.commandLine().getOut().printf("restored the schema of %s into %s: %d tables, no data (%.1f s)%n",
          e.id(), target.describe(), r.tables(), (System.nanoTime() - t0) / 1e9);
      return 0;
    }
    cmd.commandLine().getOut().printf("restored %s into %s: %d tables, %d rows, row counts match (%.1f s)%n",
        e.id(), target.describe(), r.tables(), r.rows(), (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  /** Prints every check and the plan; exits 0 only if the restore would work, else with the first failure's code. */
  private int dryRun(ConnSpec target, Restorer.Options opts, java.util.function.Supplier<ArchiveReader> archive,
      String backupId) {
    Runnable[] cancel = new Runnable[1];
    DryRun.Report r = Cli.await(opts.jobs(), (vertx, pools) -> {
      DryRun dry = new DryRun(vertx, pools, target, opts);
      cancel[0] = dry::cancel;
      return dry.run(archive);
    }, cancel);
    PrintWriter out = cmd.commandLine().getOut();
    for (DryRun.Line l : r.lines()) {
      out.printf("%-5s %-22s %s%n", l.ok() ? "ok" : "FAIL", l.what(), l.detail());
    }
    CairnException failure = r.failure();
    if (failure != null) {
      out.printf("dry run: restoring %s into %s would fail; nothing was changed%n", backupId, target.describe());
      throw failure;
    }
    out.println("would:");
    r.plan().forEach(step -> out.println("  " + step));
    out.printf("dry run: restoring %s into %s would work; nothing was changed%n", backupId, target.describe());
    return 0;
  }

  private void confirmClean(Backups.Entry e, ConnSpec target) {
    String answer = terminal.ask(cleanPrompt(e, target));
    if (answer == null) {
      throw new CairnException(ErrorCode.USAGE, "--clean drops database " + target.database() + " and needs a"
          + " confirmation", "add --yes to confirm without a terminal");
    }
    if (!answer.trim().equals(target.database())) {
      throw new CairnException(ErrorCode.CANCELLED, "restore cancelled: the name typed does not match");
    }
  }

  /** Names what is dropped and what replaces it, so the wrong backup or target is seen before it is too late. */
  static String cleanPrompt(Backups.Entry e, ConnSpec target) {
    return "This drops database " + target.database() + " on " + target.describe() + " and everything in it,\n"
        + "then restores backup " + Cli.describe(e) + " into it.\n"
        + "Type " + target.database() + " to go on: ";
  }
}
