package dev.cairn.storage;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A repository of backups on a {@link Storage}. A backup exists only as the object {@code <id>.cairn},
 * published atomically when its archive is complete; work in progress is the driver's unfinished write,
 * never listed. All methods block: call them from worker threads.
 */
public final class Repository {
  public static final String SUFFIX = ".cairn";
  /** Backup ids: no separators, no dot-dot, so an id can never name a key outside the repository. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}-\\d{8}T\\d{6}Z(-\\d{1,3})?");

  private static final Pattern NAME_OF_ID = Pattern.compile("(.+)-\\d{8}T\\d{6}Z(-\\d{1,3})?");

  private final Storage storage;

  private Repository(Storage storage) {
    this.storage = storage;
  }

  public static Repository of(Storage storage) {
    return new Repository(storage);
  }

  /** The name part of a backup id (the configured database name, or the database's own). */
  public static String nameOf(String id) {
    var m = NAME_OF_ID.matcher(id);
    return m.matches() ? m.group(1) : id;
  }

  /** Opens a local repository for reading; the directory must exist. */
  public static Repository open(Path dir) {
    return new Repository(LocalStorage.open(dir));
  }

  /** Opens a local repository for writing, creating it (mode 0700) when missing; checks it is writable. */
  public static Repository openForWrite(Path dir) {
    return new Repository(LocalStorage.openForWrite(dir));
  }

  public Storage storage() {
    return storage;
  }

  /** Where the repository is, for messages. */
  public String location() {
    return storage.location();
  }

  /** The storage key of a backup's archive; BACKUP_NOT_FOUND when {@code id} is not an id. */
  public String archiveKey(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "\"" + id + "\" is not a backup id",
          "backup ids look like mydb-20260101T020000Z; list them with: cairn list --repo " + location());
    }
    return id + SUFFIX;
  }

  /** The archive of a published backup; BACKUP_NOT_FOUND when the id is malformed or absent. */
  public Storage.ObjectInfo archive(String id) {
    return storage.stat(archiveKey(id)).orElseThrow(() -> notFound(id));
  }

  /** Opens a published backup's archive (checks header, trailer and manifest); BACKUP_NOT_FOUND when absent. */
  public ArchiveReader openArchive(String id) {
    String key = archiveKey(id);
    ReadSource in = storage.open(key).orElseThrow(() -> notFound(id));
    return ArchiveReader.open(in, key + " in " + location());
  }

  /** Starts writing a backup's archive; it is published by {@link ArchiveWriter#finish}. */
  public ArchiveWriter createArchive(String id) {
    return ArchiveWriter.create(storage.create(archiveKey(id)));
  }

  public boolean exists(String id) {
    return id != null && ID.matcher(id).matches() && storage.stat(id + SUFFIX).isPresent();
  }

  /** Ids of published backups (unsorted; callers order by the manifests' recorded times). */
  public List<String> ids() {
    List<String> out = new ArrayList<>();
    for (Storage.ObjectInfo o : storage.list("")) {
      String k = o.key();
      if (k.endsWith(SUFFIX)) {
        String id = k.substring(0, k.length() - SUFFIX.length());
        if (ID.matcher(id).matches()) {
          out.add(id);
        }
      }
    }
    return out;
  }

  /** Deletes a published backup, durably; BACKUP_NOT_FOUND when it is not there. */
  public void delete(String id) {
    if (!storage.delete(archiveKey(id))) {
      throw notFound(id);
    }
  }

  /** Removes leftovers of writes that never finished; returns their keys. */
  public List<String> removePartials() {
    List<String> removed = new ArrayList<>();
    for (String key : storage.partials()) {
      if (storage.removePartial(key)) {
        removed.add(key);
      }
    }
    return removed;
  }

  private CairnException notFound(String id) {
    return new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in " + location(),
        "list the backups with: cairn list --repo " + location());
  }
}
