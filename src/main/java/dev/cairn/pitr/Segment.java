package dev.cairn.pitr;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A WAL segment: timeline and segment number. Its file name is three 8-digit hex fields: timeline, then the
 * segment number split at 4 GiB of WAL ({@code segmentsPerId} segments), as PostgreSQL names them.
 */
public record Segment(int timeline, long number) implements Comparable<Segment> {
  public static final Pattern NAME = Pattern.compile("[0-9A-F]{24}");
  public static final Pattern HISTORY = Pattern.compile("([0-9A-F]{8})\\.history");

  public static Optional<Segment> parse(String name, long segmentSize) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    int tli = (int) Long.parseLong(name.substring(0, 8), 16);
    long hi = Long.parseLong(name.substring(8, 16), 16);
    long lo = Long.parseLong(name.substring(16, 24), 16);
    return Optional.of(new Segment(tli, hi * perId(segmentSize) + lo));
  }

  public static Segment of(int timeline, Lsn lsn, long segmentSize) {
    return new Segment(timeline, Long.divideUnsigned(lsn.value(), segmentSize));
  }

  static long perId(long segmentSize) {
    return 0x100000000L / segmentSize;
  }

  public String name(long segmentSize) {
    return String.format(Locale.ROOT, "%08X%08X%08X", timeline, number / perId(segmentSize), number % perId(segmentSize));
  }

  public Segment next() {
    return new Segment(timeline, number + 1);
  }

  public Segment onTimeline(int tli) {
    return new Segment(tli, number);
  }

  /** The first WAL location after this segment. */
  public Lsn end(long segmentSize) {
    return new Lsn((number + 1) * segmentSize);
  }

  public static String historyName(int timeline) {
    return String.format(Locale.ROOT, "%08X.history", timeline);
  }

  @Override
  public int compareTo(Segment o) {
    int c = Integer.compare(timeline, o.timeline);
    return c != 0 ? c : Long.compare(number, o.number);
  }
}
