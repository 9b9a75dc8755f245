package dev.cairn.cli;

import dev.cairn.pitr.PitrStore;
import dev.cairn.pitr.WalGet;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "wal-get", description = "PostgreSQL's restore_command: one checked WAL file from the repository."
    + " Exit 0: delivered; 1: not there (the end of the WAL); 126: missing inside the WAL or damaged (recovery stops).")
final class WalGetCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  // from S3: the endpoint and region as options, the credentials from the server's environment (AWS_*), never on
  // the restore_command line
  @Mixin RepoOptions repo;

  @Option(names = "--cluster", required = true, paramLabel = "NAME")
  String cluster;

  @Parameters(index = "0", paramLabel = "FILE", description = "%f: the WAL file PostgreSQL asks for")
  String file;

  @Parameters(index = "1", paramLabel = "PATH", description = "%p: where to put it")
  Path dest;

  @Override
  public Integer call() {
    StringBuilder why = new StringBuilder();
    WalGet.Answer a;
    try {
      a = WalGet.fetch(new PitrStore(repo.open().storage(), cluster), file, dest, why);
    } catch (RuntimeException e) { // any failure must stop recovery, not look like the end of the WAL
      why.append(e.getMessage());
      a = WalGet.Answer.FATAL;
    }
    if (a == WalGet.Answer.FATAL) {
      cmd.commandLine().getErr().println("cairn wal-get: " + why);
      return 126;
    }
    return a == WalGet.Answer.DELIVERED ? 0 : 1;
  }
}
