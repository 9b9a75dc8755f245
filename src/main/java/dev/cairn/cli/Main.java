package dev.cairn.cli;

import dev.cairn.engine.Version;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The cairn command line. Exit codes: 0 success, then {@link ErrorCode#exitCode()} per error class. Every
 * subcommand inherits --help and --version (scope INHERIT), so help never needs the required options.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    scope = ScopeType.INHERIT,
    description = "PostgreSQL backups: parallel COPY on one snapshot into a checksummed LZ4 archive.",
    subcommands = {BackupCommand.class, RestoreCommand.class, VerifyCommand.class, ListCommand.class,
        ShowCommand.class, DeleteCommand.class, PruneCommand.class, AgentCommand.class, CheckConfigCommand.class,
        HistoryCommand.class, DoctorCommand.class, TokenCommand.class, CatalogCommand.class,
        NotifyCommand.class, TestCommand.class, CopyCommand.class, PitrCommand.class, WalGetCommand.class,
        KeyCommand.class})
public final class Main {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("wal-get")) {
      // PostgreSQL runs this once per WAL file during recovery: no command tree, no logging set-up
      System.exit(new CommandLine(new WalGetCommand()).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
    }
    // Before anything touches java.util.logging: keep log handlers through shutdown (see KeepLogManager).
    System.setProperty("java.util.logging.manager", "dev.cairn.log.KeepLogManager");
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs a command line; used by main and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
      CairnException ce = ex instanceof CairnException c ? c : CairnException.wrap(ex, ErrorCode.INTERNAL, "unexpected error");
      err.println("cairn: " + ce.describe());
      if (ce.code() == ErrorCode.INTERNAL) {
        ex.printStackTrace(err);
      }
      err.flush();
      return ce.code().exitCode();
    });
    return cl.execute(args);
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cairn " + Version.get()};
    }
  }
}
