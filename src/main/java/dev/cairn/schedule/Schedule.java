package dev.cairn.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When one database is backed up: one or more cron expressions in one time zone; it fires at the union of
 * their times (a time two expressions share fires once). Immutable; time always comes from the caller
 * (an instant or a {@link Clock}).
 */
public final class Schedule {
  /** How many next runs a listing of schedules gives (GET /api/v1/schedules). */
  public static final int LISTED_RUNS = 5;

  private final List<CronSchedule> crons;

  private Schedule(List<CronSchedule> crons) {
    this.crons = crons;
  }

  /** @throws IllegalArgumentException when the list is empty or mixes time zones */
  public static Schedule of(List<CronSchedule> crons) {
    if (crons.isEmpty()) {
      throw new IllegalArgumentException("a schedule needs at least one cron expression");
    }
    ZoneId zone = crons.get(0).zone();
    if (crons.stream().anyMatch(c -> !c.zone().equals(zone))) {
      throw new IllegalArgumentException("the cron expressions of one schedule must share a time zone");
    }
    return new Schedule(List.copyOf(crons));
  }

  public static Schedule of(CronSchedule... crons) {
    return of(List.of(crons));
  }

  /** Parses each expression in the zone; throws CONFIG for the first bad one. */
  public static Schedule parse(List<String> expressions, ZoneId zone) {
    return of(expressions.stream().map(e -> CronSchedule.parse(e, zone)).toList());
  }

  public List<CronSchedule> crons() {
    return crons;
  }

  public ZoneId zone() {
    return crons.get(0).zone();
  }

  /** The expressions as written. */
  public List<String> expressions() {
    return crons.stream().map(CronSchedule::expression).toList();
  }

  /** The earliest time strictly after {@code after}, in the schedule's zone. */
  public Optional<ZonedDateTime> next(ZonedDateTime after) {
    Optional<ZonedDateTime> best = Optional.empty();
    for (CronSchedule c : crons) {
      Optional<ZonedDateTime> n = c.next(after);
      if (n.isPresent() && (best.isEmpty() || n.get().toInstant().isBefore(best.get().toInstant()))) {
        best = n;
      }
    }
    return best;
  }

  /** The latest time at or before {@code atOrBefore}. */
  public Optional<ZonedDateTime> previous(ZonedDateTime atOrBefore) {
    Optional<ZonedDateTime> best = Optional.empty();
    for (CronSchedule c : crons) {
      Optional<ZonedDateTime> p = c.previous(atOrBefore);
      if (p.isPresent() && (best.isEmpty() || p.get().toInstant().isAfter(best.get().toInstant()))) {
        best = p;
      }
    }
    return best;
  }

  /** The next {@code n} distinct times strictly after {@code after}, earliest first (fewer if the schedule ends). */
  public List<ZonedDateTime> nextRuns(ZonedDateTime after, int n) {
    List<ZonedDateTime> runs = new ArrayList<>(Math.max(0, n));
    ZonedDateTime t = after;
    while (runs.size() < n) {
      Optional<ZonedDateTime> next = next(t);
      if (next.isEmpty()) {
        break;
      }
      t = next.get();
      runs.add(t);
    }
    return runs;
  }

  /**
   * True when some scheduled time t has {@code lastRun < t <= now}: at start-up, a backup was missed
   * while the agent was down. However many times were missed, this is one answer: the caller takes one
   * catch-up run, never one per missed time.
   */
  public boolean missedSince(Instant lastRun, Instant now) {
    return previous(now.atZone(zone())).map(t -> t.toInstant().isAfter(lastRun)).orElse(false);
  }

  /**
   * Milliseconds from the clock's now to the next time, rounded up and at least 1, for arming a Vert.x
   * timer; -1 when the schedule never fires again. Computed on instants, so a daylight-saving change in
   * between counts as the hour it really is.
   */
  public long millisUntilNext(Clock clock) {
    Instant now = clock.instant();
    return next(now.atZone(zone())).map(t -> {
      Duration d = Duration.between(now, t.toInstant());
      long ms = d.toMillis() + (d.toNanosPart() % 1_000_000 == 0 ? 0 : 1);
      return Math.max(1, ms);
    }).orElse(-1L);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schedule s && s.crons.equals(crons);
  }

  @Override
  public int hashCode() {
    return crons.hashCode();
  }

  @Override
  public String toString() {
    return crons.size() == 1 ? crons.get(0).toString() : expressions() + (zone().equals(CronSchedule.DEFAULT_ZONE) ? "" : " (" + zone() + ")");
  }
}
