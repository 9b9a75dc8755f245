package dev.cairn.http;

/**
 * The {@code Range} header of a download (RFC 9110 section 14): one byte range, {@code bytes=first-last},
 * {@code bytes=first-} or {@code bytes=-suffix}. Several ranges, other units and malformed headers are
 * ignored (the whole file is sent, as the RFC allows); a range that starts past the end is unsatisfiable.
 */
final class Ranges {
  private Ranges() {}

  /** {@code start} and {@code end} inclusive; {@code whole} when the header is absent or ignored. */
  record Range(long start, long end, boolean whole, boolean unsatisfiable) {
    long length() {
      return end - start + 1;
    }
  }

  static Range whole(long size) {
    return new Range(0, size - 1, true, false);
  }

  static Range parse(String header, long size) {
    if (header == null) {
      return whole(size);
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return whole(size);
    }
    String spec = h.substring(6).trim();
    if (spec.contains(",")) {
      return whole(size);
    }
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return whole(size);
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    if (!digits(a) && !a.isEmpty() || !digits(b) && !b.isEmpty() || a.isEmpty() && b.isEmpty()) {
      return whole(size);
    }
    if (a.isEmpty()) {
      long suffix = Long.parseLong(b);
      if (suffix == 0 || size == 0) {
        return new Range(0, 0, false, true);
      }
      return new Range(Math.max(0, size - suffix), size - 1, false, false);
    }
    long first = Long.parseLong(a);
    long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
    if (!b.isEmpty() && last < first) {
      return whole(size); // invalid: ignored
    }
    if (first >= size) {
      return new Range(0, 0, false, true);
    }
    return new Range(first, Math.min(last, size - 1), false, false);
  }

  /** 1 to 18 ASCII digits (so that parsing cannot overflow). */
  private static boolean digits(String s) {
    if (s.isEmpty() || s.length() > 18) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }
}
