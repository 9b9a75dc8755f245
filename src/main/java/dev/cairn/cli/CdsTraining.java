package dev.cairn.cli;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a real backup, list, verify, restore and restore test of one database in one JVM, and an encrypted backup
 * and its verify, so that scripts/lib.sh can write a class-data archive ({@code -XX:ArchiveClassesAtExit}) of
 * everything those commands load. An archive made by a run that stops at its first connection leaves the drivers,
 * the archive code and the restore out, and every command then loads and verifies them from the jar again (about
 * 0.25 s and 0.3 CPU-s of each run). Not a user command: the commands' output is discarded, and the first failure
 * ends the run with its exit code.
 *
 * <p>Arguments: the database to back up, the (absent) database to restore into, a database to connect to for the
 * restore test's scratch database, and an empty repository directory (the encrypted repository and the identity
 * go beside it).
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) {
    if (args.length != 4) {
      System.err.println("usage: CdsTraining SOURCE_CONNINFO RESTORE_CONNINFO TEST_TARGET_CONNINFO REPO_DIR");
      System.exit(2);
    }
    Main.configureProcess();
    System.exit(run(args[0], args[1], args[2], args[3], System.err));
  }

  /** Runs the commands in turn; 0, or the exit code of the first that failed (named on {@code log}). */
  static int run(String source, String restoreInto, String testTarget, String repo, java.io.PrintStream log) {
    int code = runAll(commands(source, restoreInto, testTarget, repo), log);
    if (code != 0) {
      return code;
    }
    // encrypted too, for a recipient (no passphrase: its key derivation would be most of the run)
    Path identity = Path.of(repo).resolveSibling("training.identity");
    java.io.StringWriter recipient = new java.io.StringWriter();
    code = run(List.of("key", "generate", "--out", identity.toString()), new PrintWriter(recipient, true), log);
    if (code != 0) {
      return code;
    }
    String encrypted = Path.of(repo).resolveSibling(Path.of(repo).getFileName() + "-encrypted").toString();
    return runAll(List.of(
        List.of("backup", "--db", source, "--repo", encrypted, "--jobs", "2", "--split-size", "1MB",
            "--recipient", recipient.toString().strip(), "--progress", "plain"),
        List.of("verify", "latest", "--repo", encrypted, "--identity", identity.toString(), "--progress", "plain")),
        log);
  }

  private static int runAll(List<List<String>> commands, java.io.PrintStream log) {
    for (List<String> command : commands) {
      int code = run(command, new PrintWriter(OutputStream.nullOutputStream(), true), log);
      if (code != 0) {
        return code;
      }
    }
    return 0;
  }

  private static int run(List<String> command, PrintWriter out, java.io.PrintStream log) {
    int code = Main.run(command.toArray(String[]::new), out, new PrintWriter(OutputStream.nullOutputStream(), true));
    if (code != 0) {
      log.println("cairn: class-data training stopped: cairn " + String.join(" ", command.subList(0, 2))
          + " exited with " + code);
    }
    return code;
  }

  static List<List<String>> commands(String source, String restoreInto, String testTarget, String repo) {
    return List.of(
        // a split size below the tables' sizes: page ranges, as a real database's big tables take
        List.of("backup", "--db", source, "--repo", repo, "--jobs", "2", "--split-size", "1MB", "--progress", "plain"),
        List.of("list", "--repo", repo),
        List.of("verify", "latest", "--repo", repo, "--progress", "plain"),
        List.of("restore", "latest", "--repo", repo, "--db", restoreInto, "--create", "--jobs", "2", "--progress",
            "plain"),
        List.of("test", "latest", "--repo", repo, "--target", testTarget, "--progress", "plain"));
  }
}
