package dev.cairn.testkit;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.LocalStorage;
import java.nio.file.Path;

/** Archives at a file path, through the local storage driver of the file's directory. */
public final class TestArchives {
  private TestArchives() {}

  /** A writer whose {@link ArchiveWriter#finish} publishes {@code file}. */
  public static ArchiveWriter create(Path file) {
    return ArchiveWriter.create(LocalStorage.openForWrite(file.toAbsolutePath().getParent())
        .create(file.getFileName().toString()));
  }

  /** A writer of an archive encrypted for {@code keys}' slots. */
  public static ArchiveWriter create(Path file, dev.cairn.crypt.Keys keys) {
    return ArchiveWriter.create(LocalStorage.openForWrite(file.toAbsolutePath().getParent())
        .create(file.getFileName().toString()), keys);
  }

  public static ArchiveReader open(Path file) {
    return open(file, dev.cairn.crypt.Keys.NONE);
  }

  /** Opens with {@code keys}, for encrypted archives. */
  public static ArchiveReader open(Path file, dev.cairn.crypt.Keys keys) {
    Path abs = file.toAbsolutePath();
    String key = abs.getFileName().toString();
    return ArchiveReader.open(LocalStorage.open(abs.getParent()).open(key)
        .orElseThrow(() -> new CairnException(ErrorCode.REPO_READ, "archive " + abs + " does not exist")),
        abs.toString(), keys);
  }
}
