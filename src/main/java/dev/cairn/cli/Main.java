package dev.cairn.cli;

import dev.cairn.engine.Version;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.log.KeepLogManager;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

/**
 * The cairn command line. Exit codes: 0 success, then {@link ErrorCode#exitCode()} per error class. Every
 * subcommand inherits --help and --version (scope INHERIT), so help never needs the required options.
 */
@Command(name = "cairn", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
    scope = ScopeType.INHERIT,
    description = "PostgreSQL backups: parallel COPY on one snapshot into a checksummed LZ4 archive.")
public final class Main {
  /** The subcommands, in the order the usage lists them. */
  private static final List<Class<?>> COMMANDS = List.of(BackupCommand.class, RestoreCommand.class,
      VerifyCommand.class, ListCommand.class, ShowCommand.class, DeleteCommand.class, PruneCommand.class,
      AgentCommand.class, CheckConfigCommand.class, HistoryCommand.class, DoctorCommand.class, TokenCommand.class,
      CatalogCommand.class, NotifyCommand.class, TestCommand.class, CopyCommand.class, PitrCommand.class,
      WalGetCommand.class, KeyCommand.class);

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("wal-get")) {
      // PostgreSQL runs this once per WAL file during recovery: no command tree, no logging set-up
      System.exit(new CommandLine(new WalGetCommand()).execute(java.util.Arrays.copyOfRange(args, 1, args.length)));
    }
    configureProcess();
    exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * Exits with the command's code. After SIGINT/SIGTERM, a command whose shutdown hook waits for it to clean up (as
   * restore --at's does) ends here while the hooks run: System.exit would then block, and the JVM exit 143 once the
   * hooks gave up, so the command's own code (CANCELLED's) is kept by halting. The halt skips File.deleteOnExit, which
   * runs after the hooks: lz4-java's extracted library stays in TMPDIR until a later load removes it (after an hour).
   */
  private static void exit(int code) {
    if (KeepLogManager.shuttingDown()) {
      System.out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(code);
    }
    System.exit(code);
  }

  /** System properties every cairn process sets before the libraries that read them are loaded. */
  static void configureProcess() {
    // Before anything touches java.util.logging: keep log handlers through shutdown (see KeepLogManager).
    System.setProperty("java.util.logging.manager", "dev.cairn.log.KeepLogManager");
    // Netty's buffer allocators otherwise register their JFR event classes, which loads and sets up the JDK's
    // flight recorder on the first connection: ~0.1 CPU-s of every command's start, for events nobody records.
    if (System.getProperty("io.netty.jfr.enabled") == null) {
      System.setProperty("io.netty.jfr.enabled", "false");
    }
  }

  /** Runs a command line; used by main and by tests. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine(args.length > 0 ? args[0] : null);
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

  /**
   * The command tree for a command line starting with {@code first}: that subcommand alone when it names one,
   * else all of them (usage, --version, a mistyped name and its suggestions). Picocli builds each command's model
   * by reflection, and its own classes cannot be in the class-data archive (Java 5 bytecode): building one
   * command instead of nineteen takes ~80 ms off every command's start.
   */
  static CommandLine commandLine(String first) {
    CommandLine cl = new CommandLine(new Main());
    Class<?> only = COMMANDS.stream().filter(c -> c.getAnnotation(Command.class).name().equals(first)).findFirst()
        .orElse(null);
    for (Class<?> c : only == null ? COMMANDS : List.of(only)) {
      cl.addSubcommand(c);
    }
    return cl;
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"cairn " + Version.get()};
    }
  }
}
