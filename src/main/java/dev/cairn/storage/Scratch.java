package dev.cairn.storage;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/**
 * A private (0700) local directory for one job's working files: pg_dump writes its schema archive
 * there, and pg_restore needs a seekable file. Never the repository (which may be remote); removed
 * whole by {@link #close}. Blocking.
 */
public final class Scratch implements AutoCloseable {
  private final Path dir;

  private Scratch(Path dir) {
    this.dir = dir;
  }

  /** A new directory under {@code java.io.tmpdir} ({@code TMPDIR}-like: set it with -Djava.io.tmpdir). */
  public static Scratch create(String prefix) {
    try {
      Path d;
      // read now, not once per JVM as Files.createTempDirectory(prefix) does: the setting is documented
      Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
      try {
        d = Files.createTempDirectory(tmp, prefix, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      } catch (UnsupportedOperationException notPosix) {
        d = Files.createTempDirectory(tmp, prefix);
      }
      return new Scratch(d);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot create a working directory in "
          + System.getProperty("java.io.tmpdir") + ": " + LocalStorage.describe(e),
          "check free space there, or point java.io.tmpdir elsewhere (JAVA_TOOL_OPTIONS=-Djava.io.tmpdir=DIR)", null, e);
    }
  }

  /** A file name in the directory, to hand to a child process. */
  public Path file(String name) {
    return dir.resolve(name);
  }

  public InputStream read(String name) throws IOException {
    return Files.newInputStream(file(name));
  }

  public OutputStream write(String name) throws IOException {
    return Files.newOutputStream(file(name));
  }

  public void write(String name, byte[] content) throws IOException {
    Files.write(file(name), content);
  }

  public boolean exists(String name) {
    return Files.exists(file(name));
  }

  /** Usable space of a local directory (a restore target's data directory), or empty when it cannot be read. */
  public static java.util.OptionalLong usableSpace(Path dir) {
    try {
      return Files.isDirectory(dir) ? java.util.OptionalLong.of(Files.getFileStore(dir).getUsableSpace())
          : java.util.OptionalLong.empty();
    } catch (IOException e) {
      return java.util.OptionalLong.empty();
    }
  }

  /**
   * Removes the directory and everything in it, directories too (restore --at keeps a whole repository here: the
   * rows of its backup). Never throws.
   */
  @Override
  public void close() {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    } catch (IOException | java.io.UncheckedIOException ignored) {
      // a leftover temp directory is private and harmless; the job's result does not depend on it
    }
  }
}
