package dev.cairn.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations ({@code 500ms 30s 10m 6h 1d}) and sizes ({@code 4096 512KB 64MB 4MiB 1GB}; K, M, G are powers of 1024). */
final class Units {
  private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)?",
      Pattern.CASE_INSENSITIVE);

  private Units() {}

  /** The duration, or null when the text is not one. */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }

  /** The size in bytes, or -1 when the text is not a size (or overflows). */
  static long size(String text) {
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      return -1;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
    int shift = switch (unit.charAt(0)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) {
      return -1;
    }
    return n << shift;
  }

  /** The shortest exact text: {@code 6h}, {@code 90s}, {@code 1500ms}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    long[] units = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] names = {"d", "h", "m", "s"};
    for (int i = 0; i < units.length; i++) {
      if (ms % units[i] == 0) {
        return ms / units[i] + names[i];
      }
    }
    return ms + "ms";
  }

  /** The shortest exact text: {@code 64MiB}, {@code 4KiB}, {@code 1000B}. */
  static String formatSize(long bytes) {
    String[] names = {"TiB", "GiB", "MiB", "KiB"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < shifts.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes != 0 && bytes % unit == 0) {
        return bytes / unit + names[i];
      }
    }
    return bytes + "B";
  }
}
