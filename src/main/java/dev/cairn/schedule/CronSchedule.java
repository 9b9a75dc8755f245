package dev.cairn.schedule;

import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.Objects;
import java.util.Optional;

/**
 * One cron expression in a time zone: 5 fields ({@code 0 2 * * *}), 6 fields with seconds first
 * ({@code *}{@code /10 * * * * *}), or a macro ({@code @hourly @daily @midnight @weekly @monthly @yearly
 * @annually}). Fields take numbers, {@code a-b} ranges, {@code ,} lists, {@code /n} steps, and names for
 * months ({@code jan}) and days ({@code mon}); day-of-week 0 and 7 are Sunday.
 *
 * <p>Times are wall-clock times in the zone. Across daylight-saving changes: a time that does not exist
 * (spring forward) fires once when the gap ends; a time that happens twice (fall back) fires once, the
 * first time. Immutable; equal when expression and zone are equal.
 */
public final class CronSchedule {
  public static final ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

  private static final CronDefinition FIVE_OR = definition(false, false);
  private static final CronDefinition FIVE_AND = definition(false, true);
  private static final CronDefinition SIX_OR = definition(true, false);
  private static final CronDefinition SIX_AND = definition(true, true);

  private final String expression;
  private final ZoneId zone;
  private final CronFields fields;
  private final ExecutionTime execution;

  private CronSchedule(String expression, ZoneId zone, CronFields fields, ExecutionTime execution) {
    this.expression = expression;
    this.zone = zone;
    this.fields = fields;
    this.execution = execution;
  }

  /** Parses an expression in UTC. */
  public static CronSchedule parse(String expression) {
    return parse(expression, DEFAULT_ZONE);
  }

  /**
   * Parses an expression in a zone.
   *
   * @throws CairnException CONFIG, with a message such as {@code "0 25 * * *": hour 25 is out of range 0-23}
   */
  public static CronSchedule parse(String expression, ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    String e = expression == null ? "" : expression.trim();
    CronFields f = CronFields.parse(e);
    CronDefinition def = f.seconds ? (f.dayAnd ? SIX_AND : SIX_OR) : (f.dayAnd ? FIVE_AND : FIVE_OR);
    ExecutionTime execution;
    try {
      execution = ExecutionTime.forCron(new CronParser(def).parse(f.canonical()));
    } catch (IllegalArgumentException ex) {
      // Not expected: CronFields accepts only what the canonical form can express.
      throw new CairnException(ErrorCode.CONFIG, "\"" + e + "\": " + ex.getMessage(), null, null, ex);
    }
    return new CronSchedule(e, zone, f, execution);
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** True for 6-field expressions (seconds first). */
  public boolean hasSeconds() {
    return fields.seconds;
  }

  /** The first time strictly after {@code after}, in this schedule's zone. */
  public Optional<ZonedDateTime> next(ZonedDateTime after) {
    ZonedDateTime a = after.withZoneSameInstant(zone);
    LocalDateTime from = a.toLocalDateTime().truncatedTo(ChronoUnit.SECONDS);
    ZoneOffsetTransition t = zone.getRules().getTransition(a.toLocalDateTime());
    if (t != null && t.isOverlap() && a.getOffset().equals(t.getOffsetAfter())) {
      // the second pass through a repeated hour: its times already fired during the first pass
      from = t.getDateTimeBefore().minusSeconds(1);
    }
    for (int guard = 0; guard < 100_000; guard++) {
      Optional<ZonedDateTime> n = execution.nextExecution(from.atZone(ZoneOffset.UTC));
      if (n.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime local = n.get().toLocalDateTime();
      ZonedDateTime z = toZoned(local);
      if (z.toInstant().isAfter(a.toInstant())) {
        return Optional.of(z);
      }
      from = local;
    }
    return Optional.empty();
  }

  /** The last time at or before {@code atOrBefore}, in this schedule's zone. */
  public Optional<ZonedDateTime> previous(ZonedDateTime atOrBefore) {
    ZonedDateTime b = atOrBefore.withZoneSameInstant(zone);
    LocalDateTime to = b.toLocalDateTime().truncatedTo(ChronoUnit.SECONDS);
    ZoneOffsetTransition t = zone.getRules().getTransition(b.toLocalDateTime());
    if (t != null && t.isOverlap() && b.getOffset().equals(t.getOffsetAfter())) {
      // every time of the repeated hour fired during its first pass, which is before b
      to = t.getDateTimeBefore().minusSeconds(1);
    }
    LocalDateTime before = to.plusSeconds(1);
    for (int guard = 0; guard < 100_000; guard++) {
      Optional<ZonedDateTime> p = execution.lastExecution(before.atZone(ZoneOffset.UTC));
      if (p.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime local = p.get().toLocalDateTime();
      ZonedDateTime z = toZoned(local);
      if (!z.toInstant().isAfter(b.toInstant())) {
        return Optional.of(z);
      }
      before = local;
    }
    return Optional.empty();
  }

  /** Wall-clock time to instant: times in a gap fire when the gap ends; repeated times fire the first time. */
  private ZonedDateTime toZoned(LocalDateTime local) {
    ZoneOffsetTransition t = zone.getRules().getTransition(local);
    if (t != null && t.isGap()) {
      return t.getInstant().atZone(zone);
    }
    return ZonedDateTime.ofLocal(local, zone, null);
  }

  private static CronDefinition definition(boolean seconds, boolean dayAnd) {
    CronDefinitionBuilder b = CronDefinitionBuilder.defineCron();
    if (seconds) {
      b = b.withSeconds().withStrictRange().and();
    }
    b = b.withMinutes().withStrictRange().and()
        .withHours().withStrictRange().and()
        .withDayOfMonth().withStrictRange().and()
        .withMonth().withStrictRange().and()
        .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0).withStrictRange().and();
    if (dayAnd) {
      b = b.matchDayOfWeekAndDayOfMonth();
    }
    return b.instance();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CronSchedule c && c.expression.equals(expression) && c.zone.equals(zone);
  }

  @Override
  public int hashCode() {
    return expression.hashCode() * 31 + zone.hashCode();
  }

  @Override
  public String toString() {
    return expression + (zone.equals(DEFAULT_ZONE) ? "" : " (" + zone + ")");
  }
}
