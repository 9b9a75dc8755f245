package dev.cairn.jobs;

import java.util.Locale;

/**
 * What a backup, restore or verify is doing now. A closed set, so the CLI, the API and the console can
 * tell an operator the truth: only in a measured phase does the work done of the work total (and so a
 * percent and an estimated end) mean anything; in the others (index builds, ANALYZE, pg_dump's schema)
 * there is nothing to extrapolate from, and only the phase and its elapsed time are shown.
 */
public enum Phase {
  CONNECTING("connecting", false),
  LOCKING_TABLES("locking tables", false),
  DUMPING_SCHEMA("dumping schema", false),
  COPYING("copying", true),
  FINISHING("finishing", false),
  PRE_DATA("pre-data", false),
  LARGE_OBJECTS("large objects", false),
  SEQUENCES("sequences", false),
  BUILDING_INDEXES("building indexes", false),
  REFRESHING_MATVIEWS("refreshing materialized views", false),
  ANALYZE("ANALYZE", false),
  READING("reading", true),
  /** A restore test proving the restored database: digests, sequences, schema, SQL checks, amcheck. */
  CHECKING("checking", false);

  private final String label;
  private final boolean measured;

  Phase(String label, boolean measured) {
    this.label = label;
    this.measured = measured;
  }

  /** For people: "building indexes". */
  public String label() {
    return label;
  }

  /** Whether the phase's work is counted in workDone of workTotal. */
  public boolean measured() {
    return measured;
  }

  /** The stable name in JSON and history: "building-indexes". */
  public String code() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The phase of {@link #code()}; null for null (history written before phases existed) or a code this
   * version does not know (history written by a newer one), so reading the history never fails on it.
   */
  public static Phase fromCode(String code) {
    for (Phase p : values()) {
      if (p.code().equals(code)) {
        return p;
      }
    }
    return null;
  }
}
