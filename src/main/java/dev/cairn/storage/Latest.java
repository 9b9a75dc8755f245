package dev.cairn.storage;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which backup "latest" means. A repository may hold backups of several names (databases): "latest" of
 * the whole repository once restored another database's backup over the target, so with more than one
 * name the name must be given. Pure: the listing is given.
 */
public final class Latest {
  private Latest() {}

  /**
   * The newest good backup of {@code name} (a backup name: the id's prefix); {@code name} may be null
   * only when every backup in {@code newestFirst} (as {@link Backups#list} orders them) has the same name.
   *
   * @throws CairnException USAGE when the name is needed and missing, BACKUP_NOT_FOUND when nothing fits
   */
  public static Backups.Entry pick(List<Backups.Entry> newestFirst, String name, String repoDir) {
    SortedSet<String> names = new TreeSet<>();
    newestFirst.forEach(e -> names.add(e.name()));
    if (name == null && names.size() > 1) {
      throw new CairnException(ErrorCode.USAGE, "\"latest\" needs a backup name: " + repoDir + " holds backups of "
          + names.size() + " names: " + String.join(", ", names),
          "add --database NAME (e.g. --database " + names.first() + "), or give the backup's id");
    }
    if (name != null && !names.contains(name)) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup named " + name + " in " + repoDir
          + (names.isEmpty() ? "" : " (its names: " + String.join(", ", names) + ")"));
    }
    return newestFirst.stream()
        .filter(e -> e.good() && (name == null || name.equals(e.name())))
        .findFirst()
        .orElseThrow(() -> new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no good backup"
            + (name == null ? "" : " named " + name) + " in " + repoDir));
  }

  /** An explicit id with a name given too: they must agree, or the operator meant another backup. */
  public static void checkName(String id, String name) {
    if (name != null && !name.equals(Repository.nameOf(id))) {
      throw new CairnException(ErrorCode.USAGE, "backup " + id + " is of " + Repository.nameOf(id) + ", not "
          + name, "give the id of a backup of " + name + ", or \"latest\" with --database " + name);
    }
  }
}
