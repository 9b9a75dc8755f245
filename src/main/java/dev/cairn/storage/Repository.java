package dev.cairn.storage;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A local directory of archives. A backup exists only as {@code <id>.cairn}; work in progress is
 * {@code .<id>.cairn.partial}, which is never listed. Publishing is rename + directory fsync, so a crash
 * leaves either a complete archive or a partial file that {@link #removePartials()} cleans up.
 *
 * <p>All methods block (file system calls): call them from worker threads.
 */
public final class Repository {
  public static final String SUFFIX = ".cairn";
  static final String PARTIAL_SUFFIX = ".cairn.partial";
  /** Backup ids: no separators, no dot-dot, so an id can never name a path outside the repository. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}-\\d{8}T\\d{6}Z(-\\d{1,3})?");

  private static final Pattern NAME_OF_ID = Pattern.compile("(.+)-\\d{8}T\\d{6}Z(-\\d{1,3})?");

  private final Path dir;

  private Repository(Path dir) {
    this.dir = dir;
  }

  /** The name part of a backup id (the configured database name, or the database's own). */
  public static String nameOf(String id) {
    var m = NAME_OF_ID.matcher(id);
    return m.matches() ? m.group(1) : id;
  }

  /** Opens a repository for reading; the directory must exist. */
  public static Repository open(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new CairnException(ErrorCode.REPO_READ, "repository " + abs + " does not exist or is not a directory",
          "pass the directory that holds the .cairn archives with --repo");
    }
    return new Repository(abs);
  }

  /** Opens a repository for writing, creating it (mode 0700) when missing; checks it is writable. */
  public static Repository openForWrite(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    try {
      if (!Files.exists(abs)) {
        Files.createDirectories(abs);
        try {
          Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system: nothing to tighten
        }
      }
      if (!Files.isDirectory(abs)) {
        throw new CairnException(ErrorCode.REPO_WRITE, "repository " + abs + " is not a directory");
      }
      Path probe = abs.resolve(".write-probe-" + ProcessHandle.current().pid());
      Files.write(probe, new byte[0]);
      Files.delete(probe);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "repository " + abs + " is not writable: " + describe(e),
          "check the directory's owner and permissions and the free space", null, e);
    }
    return new Repository(abs);
  }

  public Path dir() {
    return dir;
  }

  /** The archive of a published backup; BACKUP_NOT_FOUND when the id is malformed or absent. */
  public Path archive(String id) {
    Path p = pathOf(id);
    if (!Files.isRegularFile(p)) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in " + dir,
          "list the backups with: cairn list --repo " + dir);
    }
    return p;
  }

  public boolean exists(String id) {
    return ID.matcher(id).matches() && Files.exists(dir.resolve(id + SUFFIX));
  }

  private Path pathOf(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "\"" + id + "\" is not a backup id",
          "backup ids look like mydb-20260101T020000Z; list them with: cairn list --repo " + dir);
    }
    return dir.resolve(id + SUFFIX);
  }

  /** Where a backup is written before it is published. */
  public Path partialFile(String id) {
    pathOf(id);
    return dir.resolve("." + id + PARTIAL_SUFFIX);
  }

  /** Ids of published backups (unsorted; callers order by the manifests' recorded times). */
  public List<String> ids() {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        String id = name.substring(0, name.length() - SUFFIX.length());
        if (ID.matcher(id).matches() && Files.isRegularFile(p)) {
          out.add(id);
        }
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_READ, "cannot list repository " + dir + ": " + describe(e), null, null, e);
    }
    return out;
  }

  /** Renames a complete, fsynced partial file to its published name and fsyncs the directory. */
  public Path publish(String id, Path partial) {
    Path target = pathOf(id);
    try {
      if (Files.exists(target)) {
        throw new CairnException(ErrorCode.REPO_WRITE, "backup " + id + " already exists in " + dir);
      }
      try {
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new CairnException(ErrorCode.REPO_WRITE, "repository " + dir + " cannot rename atomically", null, null, e);
      }
      fsyncDir();
      return target;
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot publish backup " + id + " in " + dir + ": " + describe(e),
          null, null, e);
    }
  }

  /** Deletes a published backup (and fsyncs the directory so the deletion is durable). */
  public void delete(String id) {
    Path p = archive(id);
    try {
      Files.delete(p);
      fsyncDir();
    } catch (NoSuchFileException e) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in " + dir);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot delete backup " + id + ": " + describe(e), null, null, e);
    }
  }

  /** Removes leftovers of backups that never finished; returns their names. */
  public List<String> removePartials() {
    List<String> removed = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".*" + PARTIAL_SUFFIX)) {
      for (Path p : ds) {
        Files.deleteIfExists(p);
        removed.add(p.getFileName().toString());
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot clean partial files in " + dir + ": " + describe(e),
          null, null, e);
    }
    return removed;
  }

  private void fsyncDir() throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** I/O messages without the exception class noise; "No space left on device" stays visible. */
  public static String describe(IOException e) {
    if (e instanceof NoSuchFileException) {
      return "no such file " + e.getMessage();
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied on " + e.getMessage();
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
