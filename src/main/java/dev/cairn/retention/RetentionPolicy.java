package dev.cairn.retention;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;

/**
 * Which backups of one database to keep. Each count is a rule; 0 turns the rule off. A backup is kept
 * when any rule keeps it (see {@link Retention#decide}). A policy whose rules are all off keeps
 * everything: the safe default, never "delete everything".
 *
 * @param keepLast the N newest good backups
 * @param keepDays good backups recorded less than D × 24 hours before now
 * @param keepDaily the newest good backup of each of the N most recent calendar days that have one
 * @param keepWeekly the same for ISO weeks (week-based year and week number)
 * @param keepMonthly the same for calendar months
 */
public record RetentionPolicy(int keepLast, int keepDays, int keepDaily, int keepWeekly, int keepMonthly) {
  /** Every rule off: keeps every backup. */
  public static final RetentionPolicy KEEP_EVERYTHING = new RetentionPolicy(0, 0, 0, 0, 0);

  public RetentionPolicy {
    check("keep_last", keepLast);
    check("keep_days", keepDays);
    check("keep_daily", keepDaily);
    check("keep_weekly", keepWeekly);
    check("keep_monthly", keepMonthly);
  }

  private static void check(String rule, int value) {
    if (value < 0) {
      throw new CairnException(ErrorCode.CONFIG, "retention rule " + rule + " is " + value
          + ": it must be 0 (rule off) or more", "set " + rule + " to a count of backups, days or periods");
    }
  }

  /** True when no rule is on: then nothing is ever deleted. */
  public boolean keepsEverything() {
    return keepLast == 0 && keepDays == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0;
  }

  /** "keep_last=7 keep_daily=14" (rules that are on), or "keep everything". */
  @Override
  public String toString() {
    if (keepsEverything()) {
      return "keep everything";
    }
    StringBuilder sb = new StringBuilder();
    append(sb, "keep_last", keepLast);
    append(sb, "keep_days", keepDays);
    append(sb, "keep_daily", keepDaily);
    append(sb, "keep_weekly", keepWeekly);
    append(sb, "keep_monthly", keepMonthly);
    return sb.toString();
  }

  private static void append(StringBuilder sb, String rule, int value) {
    if (value > 0) {
      sb.append(sb.length() == 0 ? "" : " ").append(rule).append('=').append(value);
    }
  }
}
