package dev.cairn.retention;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which backups of one database to keep: a pure function of the backups' recorded times and
 * health, the policy, the current time, a time zone and the backups in use. Names never order anything;
 * an id only breaks a tie between backups recorded at the same instant.
 *
 * <p>Rules, applied to the good backups recorded at or before {@code now}, newest first:
 * <ul>
 *   <li>keep_last N: the N newest;
 *   <li>keep_days D: those recorded after {@code now - D × 24 h};
 *   <li>keep_daily/weekly/monthly N: the newest of each of the N most recent calendar days / ISO weeks /
 *       months (in {@code zone}) that have a good backup; periods without one do not count (restic's
 *       semantics).
 * </ul>
 * Always kept, whatever the policy: the newest good backup; a backup in use; a backup recorded after
 * {@code now} (clock skew: it neither takes a keep_last slot nor a period from the others); a backup
 * that is not good unless a good backup was recorded after it. A policy with every rule off keeps
 * everything. Anything else is deleted.
 */
public final class Retention {
  static final String NEWEST_GOOD = "newest good backup";
  static final String NO_RULE = "no rule keeps it";
  static final String NOT_GOOD = "not a good backup";
  static final String NOT_GOOD_KEPT = "not a good backup, kept: no newer good backup";
  static final String FUTURE = "recorded after now: clock skew?";
  static final String ALL_OFF = "no keep rule set: everything is kept";

  /** Newest first; equal times by id, so the result never depends on the input order. */
  public static final Comparator<BackupInfo> NEWEST_FIRST =
      Comparator.comparing(BackupInfo::recorded).reversed().thenComparing(BackupInfo::id);

  private Retention() {}

  /**
   * One decision per backup, in the order of {@code backups}, which must all be of one database (or of
   * an unknown one) and have distinct ids.
   *
   * @param inUse backup id to the id of the job using it (a restore, a verify); such backups are kept
   */
  public static List<Decision> decide(List<BackupInfo> backups, RetentionPolicy policy, Instant now, ZoneId zone,
      Map<String, String> inUse) {
    Objects.requireNonNull(backups, "backups");
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(inUse, "inUse");
    checkOneDatabase(backups);

    Map<String, List<String>> reasons = new HashMap<>();
    for (BackupInfo b : backups) {
      reasons.put(b.id(), new ArrayList<>(2));
    }
    List<BackupInfo> good = backups.stream().filter(BackupInfo::good).sorted(NEWEST_FIRST).toList();
    List<BackupInfo> counted = good.stream().filter(b -> !b.recorded().isAfter(now)).toList();
    Instant newestGood = good.isEmpty() ? null : good.get(0).recorded();

    if (!good.isEmpty()) {
      reasons.get(good.get(0).id()).add(NEWEST_GOOD);
    }
    for (int i = 0; i < Math.min(policy.keepLast(), counted.size()); i++) {
      reasons.get(counted.get(i).id()).add("one of the last " + policy.keepLast());
    }
    if (policy.keepDays() > 0) {
      Instant cutoff = now.minus(Duration.ofDays(policy.keepDays()));
      String why = "within " + policy.keepDays() + (policy.keepDays() == 1 ? " day" : " days");
      for (BackupInfo b : counted) {
        if (b.recorded().isAfter(cutoff)) {
          reasons.get(b.id()).add(why);
        }
      }
    }
    keepNewestPerPeriod(counted, Period.DAY, policy.keepDaily(), zone, reasons);
    keepNewestPerPeriod(counted, Period.WEEK, policy.keepWeekly(), zone, reasons);
    keepNewestPerPeriod(counted, Period.MONTH, policy.keepMonthly(), zone, reasons);

    List<Decision> out = new ArrayList<>(backups.size());
    for (BackupInfo b : backups) {
      List<String> why = reasons.get(b.id());
      String job = inUse.get(b.id());
      if (job != null) {
        why.add("in use by " + (job.startsWith("j-") ? "job " + job : job));
      }
      if (!b.good() && (newestGood == null || !newestGood.isAfter(b.recorded()))) {
        why.add(NOT_GOOD_KEPT);
      }
      if (b.recorded().isAfter(now)) {
        why.add(FUTURE);
      }
      if (why.isEmpty() && policy.keepsEverything()) {
        why.add(ALL_OFF);
      }
      boolean keep = !why.isEmpty();
      if (!keep) {
        why.add(b.good() ? NO_RULE : NOT_GOOD);
      }
      out.add(new Decision(b.id(), keep, why));
    }
    return out;
  }

  /**
   * Walks {@code newestFirst} and keeps the first (newest) backup of each period not seen yet, until
   * {@code count} periods are kept. A set rather than "the previous period" keeps this right even if a
   * zone's clock change ever made local dates go backwards.
   */
  private static void keepNewestPerPeriod(List<BackupInfo> newestFirst, Period period, int count, ZoneId zone,
      Map<String, List<String>> reasons) {
    Set<String> seen = new HashSet<>();
    for (BackupInfo b : newestFirst) {
      if (seen.size() >= count) {
        return;
      }
      String label = period.of(b.recorded(), zone);
      if (seen.add(label)) {
        reasons.get(b.id()).add(period.reason(label));
      }
    }
  }

  private static void checkOneDatabase(List<BackupInfo> backups) {
    Set<String> ids = new HashSet<>();
    String database = null;
    for (BackupInfo b : backups) {
      if (!ids.add(b.id())) {
        throw new CairnException(ErrorCode.INTERNAL, "retention got backup " + b.id() + " twice");
      }
      if (b.database() != null) {
        if (database != null && !database.equals(b.database())) {
          throw new CairnException(ErrorCode.INTERNAL, "retention decides for one database at a time, got backups of "
              + database + " and " + b.database() + " (" + b.id() + ")");
        }
        database = b.database();
      }
    }
  }
}
