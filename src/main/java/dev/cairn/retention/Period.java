package dev.cairn.retention;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.IsoFields;

/** The calendar periods of the keep_daily/weekly/monthly rules, in a time zone, with their labels. */
enum Period {
  DAY("day") {
    @Override
    String label(LocalDate d) {
      return d.toString(); // 2026-11-20
    }
  },
  WEEK("week") {
    @Override
    String label(LocalDate d) {
      // ISO 8601 week date: the week-based year differs from the calendar year around New Year
      return String.format("%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }
  },
  MONTH("month") {
    @Override
    String label(LocalDate d) {
      return YearMonth.from(d).toString(); // 2026-11
    }
  };

  private final String noun;

  Period(String noun) {
    this.noun = noun;
  }

  abstract String label(LocalDate localDate);

  /** The period an instant falls in, on the calendar of {@code zone}: "2026-W47". */
  String of(Instant t, ZoneId zone) {
    return label(LocalDate.ofInstant(t, zone));
  }

  /** "newest of week 2026-W47". */
  String reason(String label) {
    return "newest of " + noun + " " + label;
  }
}
