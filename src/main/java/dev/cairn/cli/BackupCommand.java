package dev.cairn.cli;

import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.dump.Dumper;
import dev.cairn.dump.TableFilter;
import dev.cairn.storage.Repository;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "backup", description = "Take a backup; prints the new backup's id as the last line.")
final class BackupCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Option(names = "--db", required = true, paramLabel = "CONNINFO",
      description = "postgresql:// URI or key=value string; PG* variables and ~/.pgpass fill the rest")
  String db;

  @Mixin RepoOptions repo;

  @Option(names = {"-j", "--jobs"}, defaultValue = "2", description = "parallel COPY streams (default ${DEFAULT-VALUE})")
  int jobs;

  @Option(names = "--table", paramLabel = "PATTERN", description = "only tables matching [schema.]name (* and ? wildcards)")
  List<String> tables = new ArrayList<>();

  @Option(names = "--exclude-table", paramLabel = "PATTERN", description = "leave out tables matching [schema.]name")
  List<String> excludes = new ArrayList<>();

  @Option(names = "--lock-timeout", defaultValue = "10s", description = "wait at most this long for each table lock (default ${DEFAULT-VALUE})")
  String lockTimeout;

  @Option(names = "--split-size", defaultValue = "64MB", description = "split tables larger than this (heap plus TOAST) into page ranges of about this size (default ${DEFAULT-VALUE})")
  String splitSize;

  @Option(names = "--chunk-size", defaultValue = "4MB", description = "uncompressed size of archive chunks (default ${DEFAULT-VALUE})")
  String chunkSize;

  @Option(names = "--pg-bin", paramLabel = "DIR", description = "directory of pg_dump (default: PATH, then /usr/lib/postgresql/*/bin)")
  Path pgBin;

  @Option(names = "--name", description = "name used in the backup id (default: the database name)")
  String name;

  @Option(names = "--schema-only", description = "the schema only: no table data, large objects or sequence values")
  boolean schemaOnly;

  @Option(names = "--data-only", description = "the table data, large objects and sequence values only, to restore"
      + " into an existing schema")
  boolean dataOnly;

  @Option(names = {"-v", "--verbose"}, description = "log each table part")
  boolean verbose;

  @Mixin ProgressOptions progress;

  @Mixin EncryptOptions encrypt;

  @Override
  public Integer call() {
    Cli.setupLogging(verbose);
    if (schemaOnly && dataOnly) {
      throw new CairnException(ErrorCode.USAGE, "--schema-only and --data-only exclude each other",
          "leave both out for a backup of schema and data");
    }
    ConnSpec spec = ConnSpec.parse(db);
    Dumper.Options opts = new Dumper.Options(jobs, new TableFilter(tables, excludes), Cli.size(splitSize),
        (int) Math.min(Integer.MAX_VALUE, Cli.size(chunkSize)), Cli.millis(lockTimeout), pgBin, name,
        schemaOnly ? Manifest.Content.SCHEMA_ONLY : dataOnly ? Manifest.Content.DATA_ONLY : Manifest.Content.ALL);
    Repository repository = repo.openForWrite()
        .withKeys(repo.keys(encrypt.keys()));
    Runnable[] cancel = new Runnable[1];
    ProgressReporter shown = progress.reporter("backup", cmd.commandLine().getErr());
    long t0 = System.nanoTime();
    Dumper.Result r;
    try {
      r = Cli.await(jobs, (vertx, pools) -> {
        Dumper d = new Dumper(vertx, pools, spec, repository, opts, Clock.systemUTC()).onProgress(shown::report);
        cancel[0] = d::cancel;
        shown.start(vertx);
        return d.run();
      }, cancel);
    } finally {
      shown.close();
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    var m = r.manifest();
    cmd.commandLine().getErr().printf("backup %s" + (m.content() == Manifest.Content.ALL ? ""
        : " (" + m.content().label() + ")") + ": %d tables, %d rows, %s of data in %s archive, %.1f s%n", r.id(),
        m.tables().size(), m.totalRows(), Cli.bytes(m.totalRawBytes()), Cli.bytes(r.archiveBytes()),
        took.toMillis() / 1000.0);
    cmd.commandLine().getOut().println(r.id());
    return 0;
  }
}
