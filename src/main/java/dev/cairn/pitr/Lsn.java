package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;

/** A WAL location, written as PostgreSQL does: {@code 16/B374D848}. */
public record Lsn(long value) implements Comparable<Lsn> {
  public static Lsn parse(String text) {
    int slash = text.indexOf('/');
    try {
      if (slash > 0) {
        return new Lsn((Long.parseLong(text.substring(0, slash), 16) << 32)
            | Long.parseLong(text.substring(slash + 1), 16));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new CairnException(ErrorCode.USAGE, "\"" + text + "\" is not a WAL location", "write it as PostgreSQL does, e.g. 0/3000148");
  }

  public static boolean looksLike(String text) {
    return text.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");
  }

  @Override
  public int compareTo(Lsn o) {
    return Long.compareUnsigned(value, o.value);
  }

  @Override
  public String toString() {
    return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
  }
}
