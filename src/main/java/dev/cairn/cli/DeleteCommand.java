package dev.cairn.cli;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "delete", description = "Delete one backup.")
final class DeleteCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "ID")
  String id;

  @Mixin RepoOptions repo;

  @Option(names = "--yes", description = "do not ask")
  boolean yes;

  Terminal terminal = Terminal.CONSOLE;

  @Override
  public Integer call() {
    Repository repository = repo.open();
    repository.archive(id); // fails clearly for a malformed or unknown id before asking anything
    if (!yes) {
      String answer = terminal.ask(prompt(Backups.read(repository, id), repository));
      if (answer == null) {
        throw new CairnException(ErrorCode.USAGE, "refusing to delete backup " + id + " without confirmation",
            "add --yes to delete without a terminal");
      }
      if (!answer.trim().equals(id)) {
        throw new CairnException(ErrorCode.CANCELLED, "nothing deleted: the id typed does not match");
      }
    }
    repository.delete(id);
    cmd.commandLine().getOut().println("deleted " + id);
    return 0;
  }

  static String prompt(Backups.Entry e, Repository repository) {
    return "Delete backup " + Cli.describe(e) + " from " + repository.location() + "?\nType its id to confirm: ";
  }
}
