package dev.cairn.config;

import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;

/**
 * Secrets from files and the environment, never from process arguments: passphrase files, identity
 * files, {@code CAIRN_PASSPHRASE} and {@code CAIRN_IDENTITY}. Messages name the file or variable, never
 * its content.
 */
public final class KeyFiles {
  public static final String PASSPHRASE_ENV = "CAIRN_PASSPHRASE";
  public static final String IDENTITY_ENV = "CAIRN_IDENTITY";

  private KeyFiles() {}

  /** A passphrase file's content without its final line break (UTF-8 bytes). */
  public static byte[] passphrase(Path file) {
    byte[] b = read(file, "passphrase file");
    int n = b.length;
    if (n > 0 && b[n - 1] == '\n') {
      n--;
      if (n > 0 && b[n - 1] == '\r') {
        n--;
      }
    }
    if (n == 0) {
      throw new CairnException(ErrorCode.USAGE, "passphrase file " + file + " is empty");
    }
    return Arrays.copyOf(b, n);
  }

  public static X25519.Identity identity(Path file) {
    return X25519.parseIdentity(new String(read(file, "identity file"), StandardCharsets.UTF_8),
        "identity file " + file);
  }

  /** {@code CAIRN_PASSPHRASE}, or null. */
  public static byte[] passphraseFromEnv(Map<String, String> env) {
    String v = env.get(PASSPHRASE_ENV);
    return v == null || v.isEmpty() ? null : v.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code CAIRN_IDENTITY}: an identity, or the path of an identity file; null when unset. */
  public static X25519.Identity identityFromEnv(Map<String, String> env) {
    String v = env.get(IDENTITY_ENV);
    if (v == null || v.isBlank()) {
      return null;
    }
    return v.strip().startsWith(X25519.IDENTITY_PREFIX) ? X25519.parseIdentity(v, "environment variable "
        + IDENTITY_ENV) : identity(Path.of(v.strip()));
  }

  /** Writes a new identity file, mode 0600 from the start; refuses to replace an existing file. */
  public static void writeIdentity(Path file, X25519.Identity id) {
    try {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, "# cairn identity (secret) for recipient " + id.recipient() + "\n" + id.encoded()
          + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new CairnException(ErrorCode.USAGE, "identity file " + file + " exists; cairn does not overwrite a key",
          "choose another --out FILE");
    } catch (IOException e) {
      throw new CairnException(ErrorCode.USAGE, "cannot write identity file " + file + ": " + e.getMessage());
    }
  }

  private static byte[] read(Path file, String what) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.USAGE, "cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }
}
