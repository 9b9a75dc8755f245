package dev.cairn.jobs;

import java.time.Duration;

/**
 * Running totals of a job that moves table data (backup, verify, restore): uncompressed COPY text bytes,
 * rows, tables complete of all tables, the work done of the whole job's estimated work, and the current
 * {@link Phase}. The unit of work is the runner's: heap bytes of the relations for a backup (the sizes read
 * in the snapshot), COPY text bytes of the table parts (from the manifest) for a verify or a restore. Work is
 * done only in the measured phases (copying, reading). Parts are the units copied: a table, or one page range
 * of a split table, so one big table's progress shows before the whole table is done.
 */
public record Progress(long bytes, long rows, int tablesDone, int tablesTotal, long workDone, long workTotal,
    Phase phase, int partsDone, int partsTotal) {

  /** Without part counts (0 of 0: the console then shows tables only). */
  public Progress(long bytes, long rows, int tablesDone, int tablesTotal, long workDone, long workTotal, Phase phase) {
    this(bytes, rows, tablesDone, tablesTotal, workDone, workTotal, phase, 0, 0);
  }

  /**
   * How long the rest of the current phase should take, at the rate of the {@code inPhase} it has run so
   * far; null when that means nothing: an unmeasured phase, no estimate, no work done or no time spent yet.
   */
  public Duration remaining(Duration inPhase) {
    return remaining(phase, workDone, workTotal, inPhase);
  }

  static Duration remaining(Phase phase, long done, long total, Duration inPhase) {
    if (phase == null || !phase.measured() || done <= 0 || total <= 0 || inPhase.isNegative()
        || inPhase.isZero()) {
      return null;
    }
    return Duration.ofMillis((long) (inPhase.toMillis() * ((double) Math.max(0, total - done) / done)));
  }
}
