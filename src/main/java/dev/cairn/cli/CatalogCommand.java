package dev.cairn.cli;

import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "catalog", description = "Maintain the repository's catalog of backup summaries.",
    subcommands = CatalogCommand.Rebuild.class)
final class CatalogCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Override
  public Integer call() {
    cmd.commandLine().usage(cmd.commandLine().getErr());
    return 2;
  }

  @Command(name = "rebuild", description = "Rewrite every backup's summary from its archive's manifest"
      + " (after restoring a bare copy of the archives, or if a summary was lost or damaged).")
  static final class Rebuild implements Callable<Integer> {
    @Spec CommandSpec cmd;

    @Mixin RepoOptions repo;

    @Override
    public Integer call() {
      Backups.Rebuilt r = Backups.rebuildCatalog(repo.openForWrite());
      PrintWriter out = cmd.commandLine().getOut();
      out.printf("catalog rebuilt: %d summaries written, %d damaged archives, %d orphan summaries removed%n",
          r.summaries(), r.damaged().size(), r.orphansRemoved());
      r.damaged().forEach(d -> out.println("damaged: " + d));
      return 0;
    }
  }
}
