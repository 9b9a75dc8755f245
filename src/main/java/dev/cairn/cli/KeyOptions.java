package dev.cairn.cli;

import dev.cairn.config.KeyFiles;
import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The keys restore, verify, show, test and key check open encrypted backups with (a picocli mixin): files
 * and the environment only, never a secret in the arguments.
 */
final class KeyOptions {
  @Option(names = "--passphrase-file", paramLabel = "FILE", description = "open encrypted backups with the"
      + " passphrase in FILE (repeatable; also: environment variable CAIRN_PASSPHRASE)")
  List<Path> passphraseFiles = new ArrayList<>();

  @Option(names = "--identity", paramLabel = "FILE", description = "open encrypted backups with the X25519 identity"
      + " in FILE, from cairn key generate (repeatable; also: CAIRN_IDENTITY, a file or the identity)")
  List<Path> identityFiles = new ArrayList<>();

  /** No slots to write: opening only; prepared ({@link Keys#prepare}), as every command opens with them. */
  Keys keys() {
    return keys(System.getenv()).prepare();
  }

  Keys keys(Map<String, String> env) {
    List<byte[]> passphrases = new ArrayList<>();
    for (Path f : passphraseFiles) {
      passphrases.add(KeyFiles.passphrase(f));
    }
    byte[] envPass = KeyFiles.passphraseFromEnv(env);
    if (envPass != null) {
      passphrases.add(envPass);
    }
    List<X25519.Identity> ids = new ArrayList<>();
    for (Path f : identityFiles) {
      ids.add(KeyFiles.identity(f));
    }
    X25519.Identity envId = KeyFiles.identityFromEnv(env);
    if (envId != null) {
      ids.add(envId);
    }
    return Keys.of(List.of(), passphrases, ids);
  }
}
