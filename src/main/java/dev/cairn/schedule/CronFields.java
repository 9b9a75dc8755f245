package dev.cairn.schedule;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Our own reading of a cron expression, before cron-utils sees it: every field is checked here so that
 * errors are precise and in our words, then expanded to the set of values it matches. cron-utils is
 * given a canonical form (plain numbers, ranges and lists only), so none of its parsing quirks
 * (steps, names, day-of-week 7) can change what a schedule means.
 *
 * <p>Day matching follows cron(8): when day-of-month and day-of-week are both restricted (neither
 * field starts with {@code *}), a day matches if EITHER matches; otherwise both must match.
 */
final class CronFields {
  static final String EXPECTED =
      "expected 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a macro such as @daily";

  static final Map<String, String> MACROS = Map.of(
      "@hourly", "0 * * * *",
      "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *",
      "@weekly", "0 0 * * 0",
      "@monthly", "0 0 1 * *",
      "@yearly", "0 0 1 1 *",
      "@annually", "0 0 1 1 *");

  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  /** One field of an expression: its name, its range and (month, day-of-week) its names. */
  enum Field {
    SECOND("second", 0, 59, null),
    MINUTE("minute", 0, 59, null),
    HOUR("hour", 0, 23, null),
    DAY_OF_MONTH("day-of-month", 1, 31, null),
    MONTH("month", 1, 12, MONTHS),
    DAY_OF_WEEK("day-of-week", 0, 7, DAYS);

    final String label;
    final int min;
    final int max;
    final List<String> names;

    Field(String label, int min, int max, List<String> names) {
      this.label = label;
      this.min = min;
      this.max = max;
      this.names = names;
    }
  }

  final String expression;
  final boolean seconds;
  final BitSet second;
  final BitSet minute;
  final BitSet hour;
  final BitSet dayOfMonth;
  final BitSet month;
  /** 0-6, Sunday = 0 (7 folded into 0). */
  final BitSet dayOfWeek;
  /** True when a day must match day-of-month AND day-of-week; false when either is enough. */
  final boolean dayAnd;

  private CronFields(String expression, boolean seconds, BitSet[] sets, boolean dayAnd) {
    this.expression = expression;
    this.seconds = seconds;
    this.second = sets[0];
    this.minute = sets[1];
    this.hour = sets[2];
    this.dayOfMonth = sets[3];
    this.month = sets[4];
    this.dayOfWeek = sets[5];
    this.dayAnd = dayAnd;
  }

  /** Parses and checks an expression (already trimmed); throws CONFIG with a precise message. */
  static CronFields parse(String expression) {
    String e = expression;
    if (e.startsWith("@")) {
      String body = MACROS.get(e.toLowerCase(Locale.ROOT));
      if (body == null) {
        throw error(e, "is not a known macro (@hourly, @daily, @weekly, @monthly, @yearly)");
      }
      return parseFields(e, body);
    }
    return parseFields(e, e);
  }

  private static CronFields parseFields(String shown, String body) {
    String[] parts = body.isBlank() ? new String[0] : body.trim().split("\\s+");
    if (parts.length != 5 && parts.length != 6) {
      throw error(shown, EXPECTED + "; found " + (parts.length == 0 ? "nothing" : String.valueOf(parts.length)));
    }
    boolean seconds = parts.length == 6;
    int offset = seconds ? 0 : 1;
    BitSet[] sets = new BitSet[6];
    if (!seconds) {
      sets[0] = new BitSet();
      sets[0].set(0);
    }
    Field[] fields = Field.values();
    for (int i = 0; i < parts.length; i++) {
      Field f = fields[i + offset];
      sets[i + offset] = parseField(shown, f, parts[i]);
    }
    String domText = parts[parts.length - 3];
    String dowText = parts[parts.length - 1];
    BitSet dow = sets[5];
    if (dow.get(7)) {
      dow.clear(7);
      dow.set(0);
    }
    boolean dayAnd = domText.startsWith("*") || dowText.startsWith("*");
    CronFields cf = new CronFields(shown, seconds, sets, dayAnd);
    cf.checkSomeDayMatches(domText, parts[parts.length - 2], dowText);
    return cf;
  }

  private static BitSet parseField(String shown, Field f, String text) {
    BitSet set = new BitSet();
    for (String item : text.split(",", -1)) {
      if (item.isEmpty()) {
        throw error(shown, f.label + " \"" + text + "\" has an empty list entry");
      }
      String[] stepParts = item.split("/", -1);
      if (stepParts.length > 2) {
        throw error(shown, f.label + " \"" + item + "\" has more than one step");
      }
      String base = stepParts[0];
      int step = 1;
      if (stepParts.length == 2) {
        step = step(shown, f, stepParts[1]);
      }
      int lo;
      int hi;
      if (base.equals("*")) {
        lo = f.min;
        hi = f.max;
      } else {
        int dash = base.indexOf('-');
        if (dash < 0) {
          lo = value(shown, f, base, item);
          hi = stepParts.length == 2 ? f.max : lo;
        } else {
          lo = value(shown, f, base.substring(0, dash), item);
          hi = value(shown, f, base.substring(dash + 1), item);
          if (f == Field.DAY_OF_WEEK && hi == 0 && lo > 0) {
            hi = 7; // fri-sun
          }
          if (lo > hi) {
            throw error(shown, f.label + " range " + base + " is backwards; write " + lo + "-" + f.max + ","
                + f.min + "-" + hi + " to wrap around");
          }
        }
      }
      for (int v = lo; v <= hi; v += step) {
        set.set(v);
      }
    }
    return set;
  }

  private static int step(String shown, Field f, String text) {
    int span = f.max - f.min;
    if (!text.matches("[0-9]{1,9}")) {
      throw error(shown, f.label + " step \"" + text + "\" is not a number");
    }
    int s = Integer.parseInt(text);
    if (s < 1 || s > span) {
      throw error(shown, f.label + " step " + s + " is out of range 1-" + span);
    }
    return s;
  }

  private static int value(String shown, Field f, String text, String item) {
    if (text.matches("[0-9]{1,9}")) {
      int v = Integer.parseInt(text);
      if (v < f.min || v > f.max) {
        throw error(shown, f.label + " " + v + " is out of range " + f.min + "-" + f.max);
      }
      return v;
    }
    if (f.names != null && !text.isEmpty() && text.chars().allMatch(Character::isLetter)) {
      int i = f.names.indexOf(text.toLowerCase(Locale.ROOT));
      if (i < 0) {
        String kind = f == Field.MONTH ? "a month name (jan-dec)" : "a day name (sun-sat)";
        throw error(shown, f.label + " \"" + text + "\" is not a number or " + kind);
      }
      return f == Field.MONTH ? i + 1 : i;
    }
    if (text.isEmpty() || !item.equals(text)) {
      throw error(shown, f.label + " \"" + item + "\" is not a number, a range (1-5) or a step (*/15)");
    }
    throw error(shown, f.label + " \"" + text + "\" is not a number");
  }

  /** True when a day matches the day-of-month, month and day-of-week fields. */
  boolean matchesDay(LocalDate d) {
    if (!month.get(d.getMonthValue())) {
      return false;
    }
    boolean dom = dayOfMonth.get(d.getDayOfMonth());
    boolean dow = dayOfWeek.get(d.getDayOfWeek().getValue() % 7);
    return dayAnd ? dom && dow : dom || dow;
  }

  /** "0 0 30 2 *" would never fire: say so now rather than wait forever. The calendar repeats every 400 years. */
  private void checkSomeDayMatches(String dom, String mon, String dow) {
    LocalDate d = LocalDate.of(2001, 1, 1);
    LocalDate end = d.plusYears(400);
    for (; d.isBefore(end); d = d.plusDays(1)) {
      if (matchesDay(d)) {
        return;
      }
    }
    throw error(expression, "never fires: no date has day-of-month " + dom + " and month " + mon
        + (dow.equals("*") ? "" : " and day-of-week " + dow));
  }

  /** The canonical expression handed to cron-utils: numbers, ranges, lists, {@code *}. */
  String canonical() {
    List<String> f = new ArrayList<>();
    if (seconds) {
      f.add(render(second, 0, 59));
    }
    f.add(render(minute, 0, 59));
    f.add(render(hour, 0, 23));
    boolean anyDay = !dayAnd && (full(dayOfMonth, 1, 31) || full(dayOfWeek, 0, 6));
    f.add(anyDay ? "*" : render(dayOfMonth, 1, 31));
    f.add(render(month, 1, 12));
    f.add(anyDay ? "*" : render(dayOfWeek, 0, 6));
    return String.join(" ", f);
  }

  private static boolean full(BitSet s, int min, int max) {
    return s.nextClearBit(min) > max;
  }

  private static String render(BitSet s, int min, int max) {
    if (full(s, min, max)) {
      return "*";
    }
    StringBuilder sb = new StringBuilder();
    for (int v = s.nextSetBit(0); v >= 0; ) {
      int end = s.nextClearBit(v) - 1;
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(v);
      if (end > v) {
        sb.append('-').append(end);
      }
      v = s.nextSetBit(end + 1);
    }
    return sb.toString();
  }

  static CairnException error(String expression, String what) {
    return new CairnException(ErrorCode.CONFIG, "\"" + expression + "\": " + what);
  }
}
