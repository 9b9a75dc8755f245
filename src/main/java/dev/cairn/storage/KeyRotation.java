package dev.cairn.storage;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveRewrap;
import dev.cairn.archive.Manifest;
import dev.cairn.crypt.Keys;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cairn key rotate}: re-wraps every encrypted backup's data key for a new slot list by rewriting
 * only its key block (see {@link ArchiveRewrap}). Per backup: the new copy is written and checked under
 * {@code rotate/<id>.cairn}, then the original is deleted and the copy renamed into its place. Whatever
 * step a crash interrupts, every backup exists as the original (old slots) or the copy (new slots); a
 * rerun first finishes what was interrupted. Blocking; run from a worker pool or the CLI thread.
 */
public final class KeyRotation {
  static final String DIR = "rotate/";

  /** The steps, for a test that interrupts a rotation between any two of them. */
  public enum Step { COPIED, DELETED, RENAMED }

  /** Called after each step; throwing stops the rotation there, as a crash would. */
  public interface Observer {
    void after(String id, Step step);
  }

  /**
   * @param changed backups whose key block was rewritten now
   * @param finished interrupted rotations completed (copies put in place)
   * @param unchanged encrypted backups that already had exactly the new slots
   * @param unencrypted backups left as they are (rotation cannot encrypt without re-encrypting the data)
   */
  public record Result(int changed, int finished, int unchanged, List<String> unencrypted) {}

  private final Repository repo;
  private final Keys target;
  private final Observer observer;

  /** {@code repo}'s keys open the backups; {@code target}'s slots are written. */
  public KeyRotation(Repository repo, Keys target, Observer observer) {
    if (!target.encrypts()) {
      throw new CairnException(ErrorCode.USAGE, "the new slot list is empty", "give at least one key slot");
    }
    this.repo = repo;
    this.target = target;
    this.observer = observer;
  }

  public Result run() {
    Storage storage = repo.storage();
    int finished = finishInterrupted(storage);
    List<String> ids = repo.ids();
    // every backup must open before any is changed: a rotation never leaves some behind half-way by choice
    List<String> locked = new ArrayList<>();
    for (String id : ids) {
      try (ArchiveReader r = repo.openArchive(id)) {
        if (r.encrypted() && !r.readable()) {
          locked.add(id);
        }
      }
    }
    if (!locked.isEmpty()) {
      throw new CairnException(ErrorCode.ARCHIVE_KEY, "the given keys do not open " + locked.size() + " of "
          + ids.size() + " backups in " + repo.location() + ": " + String.join(", ", locked) + "; nothing was changed",
          "pass a key of their current slots (cairn key check lists them)");
    }
    int changed = 0;
    int unchanged = 0;
    List<String> plain = new ArrayList<>();
    for (String id : ids) {
      String copy = DIR + id + Repository.SUFFIX;
      Manifest m;
      try (ArchiveReader r = repo.openArchive(id, "cairn key rotate")) {
        if (!r.encrypted()) {
          plain.add(id);
          continue;
        }
        if (hasTargetSlots(r)) {
          unchanged++;
          continue;
        }
        m = Manifest.parse(r.manifestJson(), r.name());
        ArchiveRewrap.rewrap(r, target, storage.create(copy));
      }
      long size;
      // the copy must open with the new slots before the original goes
      try (ArchiveReader check = ArchiveReader.open(storage.open(copy).orElseThrow(), copy + " in " + repo.location(),
          target)) {
        check.manifestJson();
        size = check.size();
      }
      observer.after(id, Step.COPIED);
      storage.delete(repo.archiveKey(id));
      observer.after(id, Step.DELETED);
      if (!storage.renameIfAbsent(copy, repo.archiveKey(id))) {
        throw new CairnException(ErrorCode.REPO_WRITE, "cannot rename " + copy + " to " + repo.archiveKey(id)
            + " in " + repo.location() + ": the target appeared during the rotation");
      }
      observer.after(id, Step.RENAMED);
      Verification v = repo.catalog().get(id).map(BackupCatalog.Summary::verification).orElse(Verification.UNVERIFIED);
      repo.catalog().putQuietly(BackupCatalog.Summary.of(m, id, size, v));
      changed++;
    }
    return new Result(changed, finished, unchanged, plain);
  }

  /** Copies left by an interrupted rotation: put in place when the original is gone, else dropped. */
  private int finishInterrupted(Storage storage) {
    int n = 0;
    for (Storage.ObjectInfo o : storage.list(DIR)) {
      String key = o.key();
      String name = key.substring(key.lastIndexOf('/') + 1);
      if (!name.endsWith(Repository.SUFFIX)) {
        continue;
      }
      if (storage.stat(name).isPresent()) {
        storage.delete(key); // interrupted before the original was deleted: it is still the backup
      } else if (storage.renameIfAbsent(key, name)) {
        n++;
      }
    }
    return n;
  }

  /** Whether the archive's slots are the target's: same ids, recipients, and passphrases that open. */
  private boolean hasTargetSlots(ArchiveReader r) {
    long passphrases = target.slots().stream().filter(s -> s instanceof Keys.PassphraseSlot).count();
    return r.keyBlock().sameSlots(target) && r.keyBlock().openableBy(target, r.name()).size() == passphrases;
  }
}
