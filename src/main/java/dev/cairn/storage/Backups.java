package dev.cairn.storage;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The backups of a repository, read from their manifests. Blocking. */
public final class Backups {
  private Backups() {}

  /** A published archive: its manifest, or why it cannot be read (then it is never "good"). */
  public record Entry(String id, long bytes, Manifest manifest, String damage) {
    public boolean readable() {
      return manifest != null;
    }

    /** The name the backup was taken under (configured database name): the id's prefix. */
    public String name() {
      return Repository.nameOf(id);
    }
  }

  /** Newest first by recorded finish time, never by name; unreadable archives last. */
  public static List<Entry> list(Repository repo) {
    List<Entry> out = new ArrayList<>();
    for (String id : repo.ids()) {
      out.add(read(repo, id));
    }
    out.sort(Comparator.comparing((Entry e) -> e.manifest == null ? java.time.Instant.MIN : e.manifest.finished())
        .reversed().thenComparing(Entry::id));
    return out;
  }

  public static Entry read(Repository repo, String id) {
    try (ArchiveReader r = repo.openArchive(id)) {
      return new Entry(id, r.size(), Manifest.parse(r.manifestJson(), r.name()), null);
    } catch (CairnException e) {
      if (e.code() == ErrorCode.BACKUP_NOT_FOUND) {
        throw e;
      }
      return new Entry(id, repo.storage().stat(repo.archiveKey(id)).map(Storage.ObjectInfo::size).orElse(0L), null,
          e.getMessage());
    }
  }

  /** An id, or "latest": the newest readable backup (of {@code database} when given). */
  public static Entry resolve(Repository repo, String idOrLatest, String database) {
    if (!"latest".equals(idOrLatest)) {
      Entry e = read(repo, idOrLatest);
      if (!e.readable()) {
        throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "backup " + idOrLatest + " is damaged: " + e.damage());
      }
      return e;
    }
    return list(repo).stream()
        .filter(Entry::readable)
        .filter(e -> database == null || database.equals(e.manifest().database()))
        .findFirst()
        .orElseThrow(() -> new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup"
            + (database == null ? "" : " of database " + database) + " in " + repo.location()));
  }
}
