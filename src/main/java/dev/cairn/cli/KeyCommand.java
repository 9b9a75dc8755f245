package dev.cairn.cli;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.EncryptionConfig;
import dev.cairn.config.KeyFiles;
import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.KeyRotation;
import dev.cairn.storage.Repository;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "key", description = "Encryption keys: generate an X25519 identity, rotate a repository's key slots,"
    + " check which slots open which backups.",
    subcommands = {KeyCommand.Generate.class, KeyCommand.Rotate.class, KeyCommand.Check.class})
final class KeyCommand {

  @Command(name = "generate", description = "Make a new X25519 identity (secret) and print its recipient (public"
      + " key, for encryption.keys or backup --recipient).")
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec cmd;

    @Option(names = "--out", paramLabel = "FILE", description = "write the identity to FILE (mode 0600, must not"
        + " exist) instead of printing it")
    Path out;

    @Override
    public Integer call() {
      X25519.Identity id = X25519.generate();
      PrintWriter o = cmd.commandLine().getOut();
      PrintWriter err = cmd.commandLine().getErr();
      if (out != null) {
        KeyFiles.writeIdentity(out, id);
        o.println(id.recipient());
        o.flush();
        err.println("The identity (secret) is in " + out + ": keep it off the backup host, e.g. in a vault or"
            + " offline; the line above is its recipient, which can only encrypt.");
      } else {
        o.println(id.encoded());
        o.println(id.recipient());
        o.flush();
        err.println("The first line is the identity (secret): store it off the backup host; it is not kept anywhere."
            + " The second is its recipient (public key), for encryption.keys or backup --recipient.");
      }
      return 0;
    }
  }

  @Command(name = "rotate", description = "Re-wrap every encrypted backup's data key for a new slot list, rewriting"
      + " only key blocks (no data is re-encrypted); an interrupted rotation is finished by running it again.")
  static final class Rotate implements Callable<Integer> {
    @Spec CommandSpec cmd;

    @Option(names = "--repo", required = true, paramLabel = "DIR", description = "repository directory")
    Path repo;

    @Option(names = "--to-slots", required = true, paramLabel = "FILE", description = "YAML file with the new"
        + " encryption: section (keys: [{id, passphrase: ${VAR}} or {id, recipient}]), e.g. the agent's cairn.yaml")
    Path slots;

    @Mixin KeyOptions keys;

    @Override
    public Integer call() {
      Cli.setupLogging(false);
      EncryptionConfig target = ConfigLoader.loadEncryption(slots, System.getenv());
      Repository repository = Repository.openForWrite(repo).withKeys(keys.keys());
      KeyRotation.Result r = new KeyRotation(repository, target.toKeys(), (id, step) -> { }).run();
      PrintWriter out = cmd.commandLine().getOut();
      out.printf("rotated %d backup(s) to the slots %s; %d already had them%s%s%n", r.changed(),
          target.keys(), r.unchanged(), r.finished() > 0 ? "; finished " + r.finished() + " interrupted rotation(s)"
              : "", r.unencrypted().isEmpty() ? "" : "; " + r.unencrypted().size() + " unencrypted backup(s) left as"
              + " they are (" + String.join(", ", r.unencrypted()) + ")");
      return 0;
    }
  }

  @Command(name = "check", description = "For every backup: its key slots and which of them the given keys open;"
      + " exit code 11 when some encrypted backup opens with none.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec cmd;

    @Option(names = "--repo", required = true, paramLabel = "DIR", description = "repository directory")
    Path repo;

    @Mixin KeyOptions keys;

    @Override
    public Integer call() {
      Cli.setupLogging(false);
      Keys k = keys.keys();
      Repository repository = Repository.open(repo).withKeys(k);
      PrintWriter out = cmd.commandLine().getOut();
      int closed = 0;
      int encrypted = 0;
      List<String> ids = repository.ids().stream().sorted().toList();
      for (String id : ids) {
        try (ArchiveReader r = repository.openArchive(id)) {
          if (!r.encrypted()) {
            out.println(id + ": not encrypted (format version " + r.formatVersion() + ")");
            continue;
          }
          encrypted++;
          List<String> opens = r.keyBlock().openableBy(k, r.name());
          if (opens.isEmpty()) {
            closed++;
          }
          out.println(id + ": slots " + r.keyBlock().slotNames() + "; " + (opens.isEmpty() ? "the given keys open none"
              : "opens with " + String.join(", ", opens)));
        }
      }
      out.printf("%d backup(s), %d encrypted, %d of them open with the given keys%n", ids.size(), encrypted,
          encrypted - closed);
      if (closed > 0) {
        throw new CairnException(ErrorCode.ARCHIVE_KEY, closed + " encrypted backup(s) in " + repository.location()
            + " open with none of the given keys", "pass a key of their slots: --passphrase-file or --identity");
      }
      return 0;
    }
  }
}
