package dev.cairn.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Assume;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * next() and previous() against a brute-force scan of wall-clock times, in zones with and without
 * daylight saving: next(t) is after t and nothing scheduled lies strictly between them (at one-second
 * resolution for 6-field expressions, one minute for 5-field ones), within a bounded window.
 */
class CronScheduleProperties {
  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");

  /** A field as written, and the values it matches. */
  record Field(String text, BitSet values) {}

  /** An expression with an independent model of what it matches. */
  record Expr(String text, boolean seconds, Field[] fields) {
    boolean matches(LocalDateTime l) {
      Field[] f = fields;
      int o = seconds ? 0 : -1;
      boolean sec = seconds ? f[0].values.get(l.getSecond()) : l.getSecond() == 0;
      boolean dom = f[o + 3].values.get(l.getDayOfMonth());
      boolean dow = f[o + 5].values.get(l.getDayOfWeek().getValue() % 7);
      boolean and = f[o + 3].text.startsWith("*") || f[o + 5].text.startsWith("*");
      return sec && f[o + 1].values.get(l.getMinute()) && f[o + 2].values.get(l.getHour())
          && f[o + 4].values.get(l.getMonthValue()) && (and ? dom && dow : dom || dow);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  private static Arbitrary<Field> field(int min, int max, List<String> names) {
    Arbitrary<Integer> v = Arbitraries.integers().between(min, max);
    Arbitrary<Integer> step = Arbitraries.integers().between(1, Math.min(max - min, 20));
    Arbitrary<Field> star = Arbitraries.just(range("*", min, max, 1, min, max));
    Arbitrary<Field> everyN = step.map(s -> range("*/" + s, min, max, s, min, max));
    Arbitrary<Field> single = v.map(a -> range(name(a, names, min), a, a, 1, min, max));
    Arbitrary<Field> between = Combinators.combine(v, v, step).as((a, b, s) -> {
      int lo = Math.min(a, b);
      int hi = Math.max(a, b);
      return range(name(lo, names, min) + "-" + name(hi, names, min) + (s > 1 ? "/" + s : ""), lo, hi, s, min, max);
    });
    Arbitrary<Field> from = Combinators.combine(v, step).as((a, s) -> range(a + "/" + s, a, max, s, min, max));
    Arbitrary<Field> list = Combinators.combine(v, v, v).as((a, b, c) -> {
      BitSet bs = new BitSet();
      for (int x : new int[] {a, b, c}) {
        bs.set(x);
      }
      return new Field(a + "," + b + "," + c, fold(bs, min, max));
    });
    return Arbitraries.frequencyOf(Tuple(4, star), Tuple(2, everyN), Tuple(2, single), Tuple(2, between),
        Tuple(1, from), Tuple(1, list));
  }

  private static net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<? extends Field>> Tuple(int w, Arbitrary<Field> a) {
    return net.jqwik.api.Tuple.of(w, a);
  }

  private static String name(int v, List<String> names, int min) {
    if (names != null && v - min < names.size() && v % 3 == 0) {
      return names.get(v - min);
    }
    return String.valueOf(v);
  }

  private static Field range(String text, int lo, int hi, int step, int min, int max) {
    BitSet bs = new BitSet();
    for (int x = lo; x <= hi; x += step) {
      bs.set(x);
    }
    return new Field(text, fold(bs, min, max));
  }

  /** Day-of-week 7 is Sunday. */
  private static BitSet fold(BitSet bs, int min, int max) {
    if (min == 0 && max == 7 && bs.get(7)) {
      bs.clear(7);
      bs.set(0);
    }
    return bs;
  }

  @Provide
  Arbitrary<Expr> expressions() {
    Arbitrary<Field> sec = field(0, 59, null);
    Arbitrary<Field> min = field(0, 59, null);
    Arbitrary<Field> hour = field(0, 23, null);
    Arbitrary<Field> dom = Arbitraries.frequencyOf(Tuple(3, Arbitraries.just(range("*", 1, 31, 1, 1, 31))),
        Tuple(1, field(1, 31, null)));
    Arbitrary<Field> month = Arbitraries.frequencyOf(Tuple(4, Arbitraries.just(range("*", 1, 12, 1, 1, 12))),
        Tuple(1, field(1, 12, MONTHS)));
    Arbitrary<Field> dow = field(0, 7, DAYS);
    return Combinators.combine(Arbitraries.of(true, false), sec, min, hour, dom, month, dow).as((s, a, b, c, d, e, f) -> {
      Field[] fields = s ? new Field[] {a, b, c, d, e, f} : new Field[] {b, c, d, e, f};
      List<String> texts = new ArrayList<>();
      for (Field x : fields) {
        texts.add(x.text);
      }
      return new Expr(String.join(" ", texts), s, fields);
    });
  }

  @Provide
  Arbitrary<ZoneId> zones() {
    return Arbitraries.of("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
        "America/Sao_Paulo").map(ZoneId::of);
  }

  @Provide
  Arbitrary<Instant> instants() {
    Instant from = Instant.parse("2000-01-01T00:00:00Z");
    Arbitrary<Instant> any = Arbitraries.longs().between(0, 40L * 365 * 86400).map(from::plusSeconds);
    // near daylight-saving changes in the northern and southern hemispheres, often
    Arbitrary<Instant> nearDst = Combinators.combine(Arbitraries.of("2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z",
        "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z", "2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"),
        Arbitraries.longs().between(-3 * 3600, 3 * 3600)).as((t, d) -> Instant.parse(t).plusSeconds(d));
    Arbitrary<Long> nanos = Arbitraries.of(0L, 0L, 1L, 500_000_000L, 999_999_999L);
    return Combinators.combine(Arbitraries.frequencyOf(Tuple2(1, any), Tuple2(1, nearDst)), nanos)
        .as(Instant::plusNanos);
  }

  private static net.jqwik.api.Tuple.Tuple2<Integer, Arbitrary<? extends Instant>> Tuple2(int w, Arbitrary<Instant> a) {
    return net.jqwik.api.Tuple.of(w, a);
  }

  /** The spec of wall-clock to instant, written independently of CronSchedule. */
  private static Instant instantOf(LocalDateTime l, ZoneId zone) {
    ZoneOffsetTransition t = zone.getRules().getTransition(l);
    if (t != null && t.isGap()) {
      return t.getInstant();
    }
    return l.atZone(zone).toInstant(); // overlap: the earlier offset
  }

  @Property(tries = 250)
  void nextAndPreviousAgreeWithABruteForceScan(@ForAll("expressions") Expr e, @ForAll("zones") ZoneId zone,
      @ForAll("instants") Instant t) {
    CronSchedule c;
    try {
      c = CronSchedule.parse(e.text, zone);
    } catch (dev.cairn.error.CairnException ex) {
      // e.g. day 30 in february only: rejected as never firing, which the model must agree with
      assertTrue(ex.getMessage().contains("never fires"), ex.getMessage());
      Assume.that(false);
      return;
    }
    ChronoUnit unit = e.seconds ? ChronoUnit.SECONDS : ChronoUnit.MINUTES;
    long window = e.seconds ? 6 * 3600 : 20 * 24 * 60; // in units
    LocalDateTime local = LocalDateTime.ofInstant(t, zone).truncatedTo(unit);
    Instant expectedNext = null;
    Instant expectedPrevious = null;
    Instant nextWindowEnd = LocalDateTime.ofInstant(t, zone).plus(window, unit).atZone(zone).toInstant();
    Instant previousWindowStart = local.minus(window, unit).atZone(zone).toInstant();
    // scan wall-clock times from 3 hours before the window (repeated hours) to its end
    for (LocalDateTime l = local.minus(window, unit).minusHours(3); l.isBefore(local.plus(window, unit).plusHours(3));
        l = l.plus(1, unit)) {
      if (!e.matches(l)) {
        continue;
      }
      Instant s = instantOf(l, zone);
      if (s.isAfter(t) && (expectedNext == null || s.isBefore(expectedNext))) {
        expectedNext = s;
      }
      if (!s.isAfter(t) && (expectedPrevious == null || s.isAfter(expectedPrevious))) {
        expectedPrevious = s;
      }
    }
    ZonedDateTime at = t.atZone(zone);
    Optional<ZonedDateTime> next = c.next(at);
    if (expectedNext != null && expectedNext.isBefore(nextWindowEnd)) {
      assertEquals(expectedNext, next.orElseThrow().toInstant(), "next after " + at);
    } else {
      next.ifPresent(n -> assertTrue(!n.toInstant().isBefore(nextWindowEnd), "next " + n + " after " + at));
    }
    next.ifPresent(n -> assertTrue(n.toInstant().isAfter(t)));
    Optional<ZonedDateTime> previous = c.previous(at);
    if (expectedPrevious != null && expectedPrevious.isAfter(previousWindowStart)) {
      assertEquals(expectedPrevious, previous.orElseThrow().toInstant(), "previous of " + at);
    } else {
      previous.ifPresent(p -> assertTrue(!p.toInstant().isAfter(previousWindowStart), "previous " + p + " of " + at));
    }
  }
}
