package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Where a recovery stops: a time, a WAL location, a named restore point, or the end of the WAL. */
public record Target(Kind kind, Instant time, Lsn lsn, String name) {
  public enum Kind { TIME, LSN, NAME, LATEST }

  private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSS]X");

  public static Target latest() {
    return new Target(Kind.LATEST, null, null, null);
  }

  public static Target time(Instant t) {
    return new Target(Kind.TIME, t, null, null);
  }

  /** "latest", an LSN (0/3000148), an ISO-8601 or "2026-12-01 10:15:00+00" time with an offset, else a restore point name. */
  public static Target parse(String text) {
    String t = text.strip();
    if (t.equals("latest")) {
      return latest();
    }
    if (Lsn.looksLike(t)) {
      return new Target(Kind.LSN, null, Lsn.parse(t), null);
    }
    if (t.matches("\\d{4}-\\d\\d-\\d\\d[ T].*")) {
      try {
        return time(OffsetDateTime.parse(t.replace(' ', 'T')).toInstant());
      } catch (DateTimeParseException e) {
        try {
          return time(OffsetDateTime.parse(t, SPACED).toInstant());
        } catch (DateTimeParseException e2) {
          throw new CairnException(ErrorCode.USAGE, "\"" + text + "\" is not a time with a UTC offset",
              "write e.g. \"2026-12-01 10:15:00+00\" or 2026-12-01T10:15:00Z");
        }
      }
    }
    if (!PitrStore.NAME.matcher(t).matches()) {
      throw new CairnException(ErrorCode.USAGE, "\"" + text + "\" is neither latest, a time, a WAL location nor a"
          + " restore point name", null);
    }
    return new Target(Kind.NAME, null, null, t);
  }

  @Override
  public String toString() {
    return switch (kind) {
      case TIME -> time.toString();
      case LSN -> lsn.toString();
      case NAME -> "restore point " + name;
      case LATEST -> "latest";
    };
  }
}
