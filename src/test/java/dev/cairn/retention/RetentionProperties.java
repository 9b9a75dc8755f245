package dev.cairn.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Safety properties of {@link Retention#decide} over random backup sets: times spread over two years
 * (with dense bursts, so several backups share days and weeks, and a few recorded after now), random
 * health, random ids, random policies, zones and backups in use.
 */
class RetentionProperties {
  private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("Europe/Berlin"),
      ZoneId.of("America/New_York"), ZoneId.of("Asia/Kolkata"));
  private static final long DAY = 86_400;

  record Scenario(List<BackupInfo> backups, RetentionPolicy policy, Instant now, ZoneId zone,
      Map<String, String> inUse) {
    List<Decision> decide() {
      return Retention.decide(backups, policy, now, zone, inUse);
    }

    Scenario with(List<BackupInfo> otherBackups, RetentionPolicy otherPolicy, Map<String, String> otherInUse) {
      return new Scenario(otherBackups, otherPolicy, now, zone, otherInUse);
    }

    @Override
    public String toString() {
      return "policy " + policy + ", now " + now + ", zone " + zone + ", in use " + inUse + "\n  "
          + backups.stream().sorted(Retention.NEWEST_FIRST)
              .map(b -> b.id() + " " + b.recorded() + (b.good() ? "" : " NOT GOOD"))
              .collect(Collectors.joining("\n  "));
    }
  }

  // ---- generators

  /** Seconds relative to now: mostly the last two years, often a dense last month, sometimes the future. */
  static Arbitrary<Long> offsets() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.longs().between(-730 * DAY, 0)),
        Tuple.of(5, Arbitraries.longs().between(-40 * DAY, 0)),
        Tuple.of(3, Arbitraries.longs().between(-3 * DAY, 0)),
        Tuple.of(1, Arbitraries.longs().between(1, 2 * DAY)));
  }

  /** Few distinct values, so ties of recorded times are frequent. */
  static Arbitrary<Long> tiedOffsets() {
    return Arbitraries.of(-400 * DAY, -40 * DAY, -7 * DAY, -DAY, -3600L, 0L, 3600L);
  }

  static Arbitrary<String> ids() {
    return Arbitraries.strings().withCharRange('a', 'z').withCharRange('0', '9').withChars('-', '_')
        .ofMinLength(1).ofMaxLength(10);
  }

  static Arbitrary<Integer> count() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.just(0)),
        Tuple.of(4, Arbitraries.integers().between(1, 8)),
        Tuple.of(1, Arbitraries.integers().between(9, 400).withDistribution(RandomDistribution.uniform())));
  }

  static Arbitrary<RetentionPolicy> policies() {
    return Combinators.combine(count(), count(), count(), count(), count()).as(RetentionPolicy::new);
  }

  static Arbitrary<Scenario> scenariosOf(Arbitrary<Long> offsets, boolean distinctTimes, Arbitrary<Boolean> good) {
    Arbitrary<Instant> now = Arbitraries.longs().between(0, 5 * 365 * DAY)
        .map(s -> Instant.parse("2024-01-01T00:00:00Z").plusSeconds(s).plusMillis(s % 1000));
    return Arbitraries.integers().between(0, 40).withDistribution(RandomDistribution.uniform()).flatMap(n -> {
      var times = offsets.list().ofSize(n);
      return Combinators.combine(distinctTimes ? times.uniqueElements() : times,
          ids().list().ofSize(n).uniqueElements(),
          good.list().ofSize(n),
          Arbitraries.integers().between(0, 5).list().ofSize(n),
          policies(), Arbitraries.of(ZONES), now)
          .as((offs, names, goods, uses, policy, zone, t) -> {
            List<BackupInfo> backups = new ArrayList<>();
            Map<String, String> inUse = new HashMap<>();
            for (int i = 0; i < n; i++) {
              backups.add(new BackupInfo(names.get(i), "app", t.plusSeconds(offs.get(i)), goods.get(i)));
              if (uses.get(i) == 0) {
                inUse.put(names.get(i), "j-" + i);
              }
            }
            return new Scenario(backups, policy, t, zone, inUse);
          });
    }).withoutEdgeCases(); // mixed-in edge cases would make most scenarios tiny
  }

  static Arbitrary<Boolean> mostlyGood() {
    return Arbitraries.frequency(Tuple.of(4, true), Tuple.of(1, false));
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return Arbitraries.oneOf(scenariosOf(offsets(), false, mostlyGood()), scenariosOf(tiedOffsets(), false, mostlyGood()));
  }

  @Provide
  Arbitrary<Scenario> distinctTimes() {
    return scenariosOf(offsets(), true, mostlyGood());
  }

  @Provide
  Arbitrary<Scenario> noGoodBackups() {
    return scenariosOf(offsets(), false, Arbitraries.just(false));
  }

  @Provide
  Arbitrary<List<Tuple.Tuple2<Long, String>>> extraNotGood() {
    return Combinators.combine(Arbitraries.oneOf(offsets(), tiedOffsets()), ids().map(s -> "X" + s))
        .as(Tuple::of).list().ofMaxSize(10).uniqueElements(Tuple.Tuple2::get2);
  }

  // ---- helpers

  static Map<String, Decision> byId(List<Decision> ds) {
    return ds.stream().collect(Collectors.toMap(Decision::id, Function.identity()));
  }

  static Set<String> kept(List<Decision> ds) {
    return ds.stream().filter(Decision::keep).map(Decision::id).collect(Collectors.toSet());
  }

  // ---- properties

  @Property
  void oneDecisionPerBackupInInputOrderEachWithAReason(@ForAll("scenarios") Scenario s) {
    List<Decision> ds = s.decide();
    assertEquals(s.backups().stream().map(BackupInfo::id).toList(), ds.stream().map(Decision::id).toList());
    for (Decision d : ds) {
      assertFalse(d.reasons().isEmpty(), d::toString);
      assertTrue(d.reasons().stream().noneMatch(String::isBlank), d::toString);
    }
  }

  @Property
  void neverDeletesTheNewestGoodBackup(@ForAll("scenarios") Scenario s) {
    var good = s.backups().stream().filter(BackupInfo::good).toList();
    Assume.that(!good.isEmpty());
    Instant newest = good.stream().map(BackupInfo::recorded).max(Comparator.naturalOrder()).orElseThrow();
    Map<String, Decision> ds = byId(s.decide());
    // with ties, the one chosen is the first by id; in any case one backup of the newest instant stays
    assertTrue(good.stream().filter(b -> b.recorded().equals(newest)).anyMatch(b -> ds.get(b.id()).keep()),
        s::toString);
    BackupInfo first = good.stream().min(Retention.NEWEST_FIRST).orElseThrow();
    assertTrue(ds.get(first.id()).reasons().contains("newest good backup"), s::toString);
  }

  @Property
  void neverDeletesABackupInUse(@ForAll("scenarios") Scenario s) {
    for (Decision d : s.decide()) {
      String job = s.inUse().get(d.id());
      if (job != null) {
        assertTrue(d.keep() && d.reasons().contains("in use by job " + job), d::toString);
      }
    }
  }

  @Property
  void neverDeletesABackupRecordedAfterNow(@ForAll("scenarios") Scenario s) {
    Map<String, Decision> ds = byId(s.decide());
    for (BackupInfo b : s.backups()) {
      if (b.recorded().isAfter(s.now())) {
        assertTrue(ds.get(b.id()).keep(), s::toString);
      }
    }
  }

  @Property
  void withNoGoodBackupNothingIsDeleted(@ForAll("noGoodBackups") Scenario s) {
    assertEquals(s.backups().size(), kept(s.decide()).size(), s::toString);
  }

  @Property
  void aBackupThatIsNotGoodIsDeletedOnlyWhenANewerGoodOneExists(@ForAll("scenarios") Scenario s) {
    Map<String, Decision> ds = byId(s.decide());
    for (BackupInfo b : s.backups()) {
      if (!b.good() && !ds.get(b.id()).keep()) {
        assertTrue(s.backups().stream().anyMatch(g -> g.good() && g.recorded().isAfter(b.recorded())), s::toString);
        assertEquals(List.of("not a good backup"), ds.get(b.id()).reasons());
      }
    }
  }

  @Property
  void aPolicyWithEveryRuleOffKeepsEverything(@ForAll("scenarios") Scenario s) {
    Scenario off = s.with(s.backups(), RetentionPolicy.KEEP_EVERYTHING, s.inUse());
    assertEquals(s.backups().size(), kept(off.decide()).size(), off::toString);
  }

  @Property
  void addingBackupsThatAreNotGoodNeverChangesTheDecisionForAGoodBackup(@ForAll("scenarios") Scenario s,
      @ForAll("extraNotGood") List<Tuple.Tuple2<Long, String>> extra, @ForAll Random random) {
    List<BackupInfo> more = new ArrayList<>(s.backups());
    for (var e : extra) {
      more.add(new BackupInfo(e.get2(), "app", s.now().plusSeconds(e.get1()), false));
    }
    Collections.shuffle(more, random);
    Map<String, Decision> before = byId(s.decide());
    Map<String, Decision> after = byId(s.with(more, s.policy(), s.inUse()).decide());
    for (BackupInfo b : s.backups()) {
      if (b.good()) {
        assertEquals(before.get(b.id()), after.get(b.id()), s::toString);
      }
    }
  }

  /** Names do not matter: a bijection of ids (the in-use map renamed alike) and any input order. */
  @Property
  void renamingAndShufflingGiveTheSameDecisionPerBackup(@ForAll("distinctTimes") Scenario s, @ForAll Random random) {
    List<String> fresh = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (int i = 0; i < s.backups().size(); i++) {
      String name;
      do {
        name = Long.toString(random.nextLong() & Long.MAX_VALUE, 36 - random.nextInt(10));
      } while (!used.add(name));
      fresh.add(name);
    }
    Map<String, String> rename = new HashMap<>();
    List<BackupInfo> renamed = new ArrayList<>();
    for (int i = 0; i < s.backups().size(); i++) {
      BackupInfo b = s.backups().get(i);
      rename.put(b.id(), fresh.get(i));
      renamed.add(new BackupInfo(fresh.get(i), b.database(), b.recorded(), b.good()));
    }
    Collections.shuffle(renamed, random);
    Map<String, String> inUse = new HashMap<>();
    s.inUse().forEach((id, job) -> inUse.put(rename.get(id), job));

    Map<String, Decision> before = byId(s.decide());
    Map<String, Decision> after = byId(s.with(renamed, s.policy(), inUse).decide());
    for (BackupInfo b : s.backups()) {
      Decision x = before.get(b.id());
      Decision y = after.get(rename.get(b.id()));
      assertEquals(x.keep(), y.keep(), s::toString);
      assertEquals(x.reasons(), y.reasons(), s::toString);
    }
  }

  /** Ties of recorded times included: the input order never matters. */
  @Property
  void shufflingTheInputGivesTheSameDecisions(@ForAll("scenarios") Scenario s, @ForAll Random random) {
    List<BackupInfo> shuffled = new ArrayList<>(s.backups());
    Collections.shuffle(shuffled, random);
    assertEquals(byId(s.decide()), byId(s.with(shuffled, s.policy(), s.inUse()).decide()), s::toString);
  }

  /**
   * Raising any keep counts (here: to the maximum of two policies, rule by rule) never deletes a backup
   * that was kept. The policy with every rule off is the one exception: it keeps everything.
   */
  @Property
  void raisingAKeepCountNeverDeletesABackupThatWasKept(@ForAll("scenarios") Scenario s,
      @ForAll("policies") RetentionPolicy other) {
    RetentionPolicy p = s.policy();
    Assume.that(!p.keepsEverything());
    RetentionPolicy raised = new RetentionPolicy(Math.max(p.keepLast(), other.keepLast()),
        Math.max(p.keepDays(), other.keepDays()), Math.max(p.keepDaily(), other.keepDaily()),
        Math.max(p.keepWeekly(), other.keepWeekly()), Math.max(p.keepMonthly(), other.keepMonthly()));
    Set<String> before = kept(s.decide());
    Set<String> after = kept(s.with(s.backups(), raised, s.inUse()).decide());
    assertTrue(after.containsAll(before), () -> "raised to " + raised + " deleted "
        + before.stream().filter(id -> !after.contains(id)).toList() + "\n" + s);
  }

  /** keep_last N alone keeps exactly the N newest good backups not after now, plus what is always kept. */
  @Property
  void keepLastAloneKeepsTheNNewest(@ForAll("distinctTimes") Scenario s, @ForAll("counts") int n) {
    Scenario only = s.with(s.backups(), new RetentionPolicy(n, 0, 0, 0, 0), Map.of());
    List<String> expected = s.backups().stream().filter(BackupInfo::good)
        .filter(b -> !b.recorded().isAfter(s.now())).sorted(Retention.NEWEST_FIRST).limit(n)
        .map(BackupInfo::id).toList();
    for (Decision d : only.decide()) {
      assertEquals(expected.contains(d.id()), d.reasons().contains("one of the last " + n), only::toString);
    }
    long keptByRules = only.decide().stream().filter(Decision::keep).count();
    assertTrue(keptByRules >= expected.size(), only::toString);
  }

  /** Each daily/weekly/monthly reason names a distinct period, at most N of them, each holding its newest good backup. */
  @Property
  void periodRulesKeepTheNewestGoodBackupOfAtMostNDistinctPeriods(@ForAll("scenarios") Scenario s) {
    Map<String, BackupInfo> info = s.backups().stream().collect(Collectors.toMap(BackupInfo::id, Function.identity()));
    List<Decision> ds = s.decide();
    for (Period p : Period.values()) {
      String prefix = p.reason("");
      int n = switch (p) {
        case DAY -> s.policy().keepDaily();
        case WEEK -> s.policy().keepWeekly();
        case MONTH -> s.policy().keepMonthly();
      };
      Set<String> labels = new HashSet<>();
      for (Decision d : ds) {
        for (String r : d.reasons()) {
          if (r.startsWith(prefix)) {
            String label = r.substring(prefix.length());
            assertTrue(labels.add(label), s::toString);
            BackupInfo b = info.get(d.id());
            assertEquals(label, p.of(b.recorded(), s.zone()), s::toString);
            assertTrue(b.good() && !b.recorded().isAfter(s.now()), s::toString);
            // no newer good backup (not after now) in the same period
            assertTrue(s.backups().stream().noneMatch(o -> o.good() && !o.recorded().isAfter(s.now())
                && Retention.NEWEST_FIRST.compare(o, b) < 0 && p.of(o.recorded(), s.zone()).equals(label)), s::toString);
          }
        }
      }
      List<BackupInfo> counted = s.backups().stream().filter(b -> b.good() && !b.recorded().isAfter(s.now()))
          .sorted(Retention.NEWEST_FIRST).toList();
      long periodsWithGood = counted.stream().map(b -> p.of(b.recorded(), s.zone())).distinct().count();
      assertEquals(Math.min(n, periodsWithGood), labels.size(), s::toString);
      // the periods kept are the most recent ones: every backup of a period left out is older than
      // the newest backup of every period kept
      for (BackupInfo b : counted) {
        if (!labels.contains(p.of(b.recorded(), s.zone()))) {
          for (BackupInfo k : counted) {
            if (labels.contains(p.of(k.recorded(), s.zone())) && ds.get(s.backups().indexOf(k)).reasons()
                .contains(p.reason(p.of(k.recorded(), s.zone())))) {
              assertTrue(Retention.NEWEST_FIRST.compare(k, b) < 0, s::toString);
            }
          }
        }
      }
    }
  }

  @Provide
  Arbitrary<Integer> counts() {
    return Arbitraries.integers().between(1, 12);
  }

  @Provide("policies")
  Arbitrary<RetentionPolicy> policyArbitrary() {
    return policies();
  }
}
