package dev.cairn.storage;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The backups of a repository, listed from the catalog's summaries. Blocking. */
public final class Backups {
  private Backups() {}

  /**
   * A published archive: its summary (and its manifest when it was read), or why it cannot be read
   * (then it is never "good").
   */
  public record Entry(String id, long bytes, BackupCatalog.Summary summary, Manifest manifest, String damage) {
    public boolean readable() {
      return summary != null;
    }

    /** Readable and not failed verification: the only backups restore, latest, health and retention count. */
    public boolean good() {
      return readable() && summary.verification().state() != Verification.State.FAILED;
    }

    /** {@code ok}, {@code failed} (verification found damage) or {@code damaged} (unreadable). */
    public String status() {
      return !readable() ? "damaged" : good() ? "ok" : "failed";
    }

    public Verification verification() {
      return readable() ? summary.verification() : Verification.UNVERIFIED;
    }

    /** The name the backup was taken under (configured database name): the id's prefix. */
    public String name() {
      return Repository.nameOf(id);
    }
  }

  /**
   * Newest first by recorded finish time, never by name; unreadable archives last. Reads the catalog's
   * summaries, and an archive's manifest only when its summary is missing or stale. A backup deleted
   * while it is listed is left out, never an error.
   */
  public static List<Entry> list(Repository repo) {
    Map<String, BackupCatalog.Summary> summaries = repo.catalog().all();
    List<Entry> out = new ArrayList<>();
    for (Storage.ObjectInfo o : repo.archives()) {
      String id = o.key().substring(0, o.key().length() - Repository.SUFFIX.length());
      BackupCatalog.Summary s = summaries.get(id);
      if (s != null && s.id().equals(id) && s.archiveBytes() == o.size()) {
        out.add(new Entry(id, o.size(), s, null, null));
        continue;
      }
      try {
        out.add(read(repo, id));
      } catch (CairnException e) {
        if (e.code() == ErrorCode.ARCHIVE_KEY) { // encrypted, no summary, no key: listed as unreadable
          out.add(new Entry(id, o.size(), null, null, e.getMessage()));
        } else if (e.code() != ErrorCode.BACKUP_NOT_FOUND) {
          throw e;
        }
      }
    }
    out.sort(Comparator.comparing((Entry e) -> e.summary == null ? Instant.MIN : e.summary.finished())
        .reversed().thenComparing(Entry::id));
    return out;
  }

  /**
   * Reads a backup's manifest from its archive (and rebuilds its catalog summary when it is missing or
   * stale). BACKUP_NOT_FOUND when the archive is gone, ARCHIVE_KEY when it is encrypted and the
   * repository's keys do not open it; a damaged archive is an entry with its damage.
   */
  public static Entry read(Repository repo, String id) {
    Optional<BackupCatalog.Summary> old = repo.catalog().get(id);
    try (ArchiveReader r = repo.openArchive(id)) {
      Manifest m = Manifest.parse(r.manifestJson(), r.name());
      if (!id.equals(m.id())) {
        return new Entry(id, r.size(), null, null, "its manifest names backup " + m.id()
            + ": the archive was copied or renamed to " + id + Repository.SUFFIX);
      }
      Verification v = old.filter(s -> s.id().equals(id) && s.archiveBytes() == r.size())
          .map(BackupCatalog.Summary::verification).orElse(Verification.UNVERIFIED);
      BackupCatalog.Summary s = BackupCatalog.Summary.of(m, id, r.size(), v);
      if (!old.equals(Optional.of(s))) {
        repo.catalog().putQuietly(s);
      }
      return new Entry(id, r.size(), s, m, null);
    } catch (CairnException e) {
      if (e.code() == ErrorCode.BACKUP_NOT_FOUND || e.code() == ErrorCode.ARCHIVE_KEY) {
        throw e;
      }
      return new Entry(id, repo.storage().stat(repo.archiveKey(id)).map(Storage.ObjectInfo::size).orElse(0L), null,
          null, e.getMessage());
    }
  }

  /**
   * An id, or "latest" as {@link Latest#pick} chooses it at {@code now} ({@code name}: the backup name, or
   * null). An explicit id must be readable and must not have failed verification.
   */
  public static Entry resolve(Repository repo, String idOrLatest, String name, Instant now) {
    if (!"latest".equals(idOrLatest)) {
      Latest.checkName(idOrLatest, name);
      Entry e = read(repo, idOrLatest);
      if (!e.readable()) {
        throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "backup " + idOrLatest + " is damaged: " + e.damage());
      }
      if (!e.good()) {
        Verification v = e.verification();
        throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "backup " + idOrLatest + " failed verification at "
            + v.at() + ": " + v.problem(), "verify it again (cairn verify " + idOrLatest + ") if the damage was repaired");
      }
      return e;
    }
    return Latest.pick(list(repo), name, now, repo.location());
  }

  /** What {@link #rebuildCatalog} did. */
  public record Rebuilt(int summaries, List<String> damaged, int orphansRemoved) {}

  /**
   * Rebuilds every summary from its archive's manifest (keeping verification results that belong to
   * the same archive), and removes summaries whose archive is gone.
   */
  public static Rebuilt rebuildCatalog(Repository repo) {
    int written = 0;
    List<String> damaged = new ArrayList<>();
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (String id : repo.ids()) {
      ids.add(id);
      try {
        Entry e = read(repo, id);
        if (e.readable()) {
          repo.catalog().put(e.summary());
          written++;
        } else {
          repo.catalog().delete(id);
          damaged.add(id + ": " + e.damage());
        }
      } catch (CairnException e) {
        if (e.code() != ErrorCode.BACKUP_NOT_FOUND) {
          throw e;
        }
      }
    }
    int orphans = 0;
    for (String id : repo.catalog().ids()) {
      if (!ids.contains(id) && !repo.exists(id)) {
        repo.catalog().delete(id);
        orphans++;
      }
    }
    return new Rebuilt(written, damaged, orphans);
  }

  /** Records a verification outcome in the backup's summary (rebuilding it from the archive when needed). */
  public static void recordVerification(Repository repo, String id, Verification v) {
    Optional<BackupCatalog.Summary> cached = repo.catalog().get(id);
    long size = repo.archive(id).size();
    BackupCatalog.Summary s = cached.filter(c -> c.archiveBytes() == size).orElse(null);
    if (s == null) {
      Entry e = read(repo, id);
      if (!e.readable()) {
        return; // damaged beyond a summary: listed as damaged anyway
      }
      s = e.summary();
    }
    repo.catalog().put(s.with(v));
  }
}
