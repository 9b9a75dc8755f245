package dev.cairn.restoretest;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a SQL check's single value must be: {@code > 0}, {@code >= 1}, {@code < 10}, {@code <= 10},
 * {@code = 5}, {@code != 0} (or {@code <>}), {@code between 1 and 10} (inclusive), {@code true},
 * {@code false}. Numbers compare as decimals, so {@code = 5} accepts {@code 5.0}.
 */
public record Expect(String op, BigDecimal a, BigDecimal b) {
  private static final String NUM = "([+-]?[0-9]+(?:\\.[0-9]+)?)";
  private static final Pattern COMPARE = Pattern.compile("(>=|<=|!=|<>|>|<|=)\\s*" + NUM);
  private static final Pattern BETWEEN = Pattern.compile("between\\s+" + NUM + "\\s+and\\s+" + NUM,
      Pattern.CASE_INSENSITIVE);

  /** The expectation, or an IllegalArgumentException saying what is accepted. */
  public static Expect parse(String text) {
    String t = text == null ? "" : text.trim();
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.equals("true") || lower.equals("false")) {
      return new Expect(lower, null, null);
    }
    Matcher m = COMPARE.matcher(t);
    if (m.matches()) {
      return new Expect(m.group(1).equals("<>") ? "!=" : m.group(1), new BigDecimal(m.group(2)), null);
    }
    m = BETWEEN.matcher(t);
    if (m.matches()) {
      BigDecimal lo = new BigDecimal(m.group(1));
      BigDecimal hi = new BigDecimal(m.group(2));
      if (lo.compareTo(hi) > 0) {
        throw new IllegalArgumentException("\"" + t + "\": the lower bound is above the upper one");
      }
      return new Expect("between", lo, hi);
    }
    throw new IllegalArgumentException("\"" + t + "\" is not an expectation (write e.g. \"> 0\", \"= 5\","
        + " \"between 1 and 10\", \"true\" or \"false\")");
  }

  /** Whether {@code value} (the check's first column of its first row, as text; null for SQL NULL) meets it. */
  public boolean test(String value) {
    if (value == null) {
      return false;
    }
    if (op.equals("true") || op.equals("false")) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      boolean b = v.equals("true") || v.equals("t");
      return (b || v.equals("false") || v.equals("f")) && b == op.equals("true");
    }
    BigDecimal v;
    try {
      v = new BigDecimal(value.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    int c = v.compareTo(a);
    return switch (op) {
      case ">" -> c > 0;
      case ">=" -> c >= 0;
      case "<" -> c < 0;
      case "<=" -> c <= 0;
      case "=" -> c == 0;
      case "!=" -> c != 0;
      default -> c >= 0 && v.compareTo(b) <= 0;
    };
  }

  @Override
  public String toString() {
    return switch (op) {
      case "true", "false" -> op;
      case "between" -> "between " + a.toPlainString() + " and " + b.toPlainString();
      default -> op + " " + a.toPlainString();
    };
  }
}
