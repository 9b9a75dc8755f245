package dev.cairn.cli;

import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.copy.ArchiveCopy;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "copy", description = "Copy a backup to another repository, checked there before it is listed.")
final class CopyCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "ID|latest")
  String id;

  @Option(names = "--from", required = true, paramLabel = "LOC",
      description = "the repository holding the backup: a directory, or a repository name with --config")
  String from;

  @Option(names = "--to", required = true, paramLabel = "LOC",
      description = "the repository to copy it to: a directory (created when missing), or a name with --config")
  String to;

  @Option(names = "--config", paramLabel = "FILE", description = "the agent's configuration: --from and --to are"
      + " names of its repositories")
  Path config;

  @Option(names = {"--database", "--name"}, paramLabel = "NAME", description = "with 'latest': the newest backup"
      + " of this name (the id's prefix); required when the repository holds backups of several names")
  String database;

  @Option(names = {"-j", "--jobs"}, defaultValue = "2", description = "parallel chunk reads of the check")
  int jobs;

  @Mixin ProgressOptions progress;

  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    Cli.setupLogging(false);
    CairnConfig cfg = config == null ? null : ConfigLoader.load(config, System.getenv(), Path.of(System.getProperty(
        "user.home")));
    if (from.equals(to)) {
      throw new CairnException(ErrorCode.USAGE, "--from and --to are both " + from, "a copy needs two repositories");
    }
    Repository source = open(cfg, from, false);
    Repository target = open(cfg, to, true);
    String resolved = Backups.resolve(source, id, database, clock.instant()).id();
    ProgressReporter shown = progress.reporter("copy", cmd.commandLine().getErr());
    ArchiveCopy.Result r;
    try {
      r = Cli.await(jobs, (vertx, pools) -> {
        shown.start(vertx);
        return new ArchiveCopy(vertx, pools, jobs, clock).onProgress(shown::report)
            .run(source, cfg == null ? source.location() : from, target, resolved);
      }, null);
    } finally {
      shown.close();
    }
    cmd.commandLine().getOut().printf("copied %s to %s: %s, SHA-256 %s, verified (%d tables, %d rows)%n", r.id(),
        target.location(), Cli.bytes(r.bytes()), r.sha256(), r.check().manifest().tables().size(), r.check().rows());
    return 0;
  }

  /** A directory, or (with --config) a configured repository by name, opened as the agent opens it. */
  private Repository open(CairnConfig cfg, String loc, boolean write) {
    if (cfg == null) {
      Path dir = Path.of(loc).toAbsolutePath();
      return write ? Repository.openForWrite(dir) : Repository.open(dir);
    }
    return RepoOptions.open(cfg, RepoOptions.named(cfg, loc, config), write);
  }
}
