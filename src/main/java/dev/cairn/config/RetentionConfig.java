package dev.cairn.config;

/**
 * Which backups of one database to keep; a backup is kept when any rule keeps it. 0 turns a rule off;
 * all rules off (the default) keeps everything, because deleting backups must be asked for.
 *
 * @param keepLast the newest N backups
 * @param keepDays every backup younger than N days
 * @param keepDaily the newest backup of each of the last N days that have one
 * @param keepWeekly the newest backup of each of the last N ISO weeks that have one
 * @param keepMonthly the newest backup of each of the last N months that have one
 */
public record RetentionConfig(int keepLast, int keepDays, int keepDaily, int keepWeekly, int keepMonthly) {
  public static final int DEFAULT_KEEP = 0;
  public static final RetentionConfig KEEP_EVERYTHING = new RetentionConfig(0, 0, 0, 0, 0);

  public RetentionConfig {
    if (keepLast < 0 || keepDays < 0 || keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0) {
      throw new IllegalArgumentException("retention counts must be 0 or more");
    }
  }

  /** True when no rule is on: nothing is ever deleted. */
  public boolean keepsEverything() {
    return keepLast == 0 && keepDays == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0;
  }
}
