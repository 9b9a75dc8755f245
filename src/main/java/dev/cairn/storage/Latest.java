package dev.cairn.storage;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which backup "latest" means. A repository may hold backups of several names (databases): "latest" of
 * the whole repository once restored another database's backup over the target, so with more than one
 * name the name must be given. A backup recorded as finishing in the future (its host's clock was ahead)
 * is never "latest": it would stay newest, and hide staleness, until the real time caught up with it.
 * Pure: the listing and the time are given.
 */
public final class Latest {
  /**
   * How far after this host's clock a backup may be dated before it counts as clock skew: hosts kept by NTP
   * agree within a second, and a repository shared by several hosts sees their small drifts; five minutes
   * is well above both and well below any backup interval that staleness alerts care about.
   */
  public static final Duration CLOCK_SKEW_TOLERANCE = Duration.ofMinutes(5);

  private Latest() {}

  /** Whether {@code e} is a readable backup dated more than {@link #CLOCK_SKEW_TOLERANCE} after {@code now}. */
  public static boolean fromTheFuture(Backups.Entry e, Instant now) {
    return e.readable() && e.summary().finished().isAfter(now.plus(CLOCK_SKEW_TOLERANCE));
  }

  /**
   * The newest good backup of {@code name} (a backup name: the id's prefix) not {@link #fromTheFuture};
   * {@code name} may be null only when every backup in {@code newestFirst} (as {@link Backups#list} orders
   * them) has the same name.
   *
   * @throws CairnException USAGE when the name is needed and missing, BACKUP_NOT_FOUND when nothing fits
   */
  public static Backups.Entry pick(List<Backups.Entry> newestFirst, String name, Instant now, String repoDir) {
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
    List<Backups.Entry> good = newestFirst.stream()
        .filter(e -> e.good() && (name == null || name.equals(e.name())))
        .toList();
    return good.stream().filter(e -> !fromTheFuture(e, now)).findFirst().orElseThrow(() -> good.isEmpty()
        ? new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no good backup" + (name == null ? "" : " named "
            + name) + " in " + repoDir)
        : new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup" + (name == null ? "" : " named " + name)
            + " in " + repoDir + " that is not dated in the future: " + good.get(0).id() + " is dated "
            + good.get(0).summary().finished() + ", after this host's clock (" + now + ")",
            "fix the clock that is wrong; to use that backup anyway, give its id"));
  }

  /** An explicit id with a name given too: they must agree, or the operator meant another backup. */
  public static void checkName(String id, String name) {
    if (name != null && !name.equals(Repository.nameOf(id))) {
      throw new CairnException(ErrorCode.USAGE, "backup " + id + " is of " + Repository.nameOf(id) + ", not "
          + name, "give the id of a backup of " + name + ", or \"latest\" with --database " + name);
    }
  }
}
