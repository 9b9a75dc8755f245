package dev.cairn.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DumperPlanTest {
  private static Catalog.TableInfo table(String name, long bytes, List<String> cols) {
    return table(name, bytes, 0, cols);
  }

  private static Catalog.TableInfo table(String name, long bytes, long toastBytes, List<String> cols) {
    return new Catalog.TableInfo(1, "public", name, false, bytes, toastBytes, 8192, cols, List.of(), List.of());
  }

  @Test
  void smallTableIsCopiedWhole() {
    List<Dumper.Unit> units = Dumper.plan(List.of(table("t", 1 << 20, List.of("a"))), 64L << 20);
    assertEquals(1, units.size());
    assertNull(units.get(0).fromPage());
    assertEquals("COPY \"public\".\"t\" (\"a\") TO STDOUT", units.get(0).copySql());
  }

  @Test
  void bigTableIsSplitIntoContiguousPageRangesWithAnOpenEnd() {
    long bytes = 8192L * 1000; // 1000 pages
    List<Dumper.Unit> units = Dumper.plan(List.of(table("big", bytes, List.of("a", "b"))), 8192L * 300);
    assertEquals(4, units.size());
    List<Dumper.Unit> byIndex = units.stream().sorted((x, y) -> x.index() - y.index()).toList();
    assertEquals(0L, byIndex.get(0).fromPage());
    for (int i = 1; i < byIndex.size(); i++) {
      assertEquals(byIndex.get(i - 1).toPage(), byIndex.get(i).fromPage(), "ranges must touch");
    }
    assertNull(byIndex.get(3).toPage(), "the last range must be open so rows on later pages are not lost");
    assertTrue(byIndex.get(3).copySql().contains("ctid >= '(750,0)'::tid)"), byIndex.get(3).copySql());
    assertTrue(byIndex.get(0).copySql().startsWith("COPY (SELECT \"a\", \"b\" FROM ONLY \"public\".\"big\" WHERE"));
  }

  @Test
  void zeroColumnTableIsNeverSplitAndHasNoColumnList() {
    List<Dumper.Unit> units = Dumper.plan(List.of(table("z", 8192L * 1000, List.of())), 8192);
    assertEquals(1, units.size());
    assertEquals("COPY \"public\".\"z\" TO STDOUT", units.get(0).copySql());
  }

  @Test
  void biggestUnitsComeFirst() {
    List<Dumper.Unit> units = Dumper.plan(List.of(table("small", 100, List.of("a")),
        table("large", 8192L * 50, List.of("a"))), 64L << 20);
    assertEquals("large", units.get(0).table().name());
  }

  @Test
  void aTableWithASmallHeapAndALargeToastIsSplitByItsWholeSize() {
    // 100 heap pages (800 KiB) pointing at 40 MiB of TOAST: 5 ranges of 10 MiB, the TOAST shared by pages
    long heap = 8192L * 100;
    List<Dumper.Unit> units = Dumper.plan(List.of(table("docs", heap, 40L << 20, List.of("a"))), 10L << 20);
    assertEquals(5, units.size());
    long estimated = units.stream().mapToLong(Dumper.Unit::estimatedBytes).sum();
    assertEquals(heap + (40L << 20), estimated, 8192L * 5);
    assertTrue(units.stream().allMatch(u -> u.estimatedBytes() > (8L << 20)), units.toString());
  }

  @Test
  void aOnePageTableIsNeverSplitWhateverItsToast() {
    List<Dumper.Unit> units = Dumper.plan(List.of(table("one", 8192, 1L << 30, List.of("a"))), 1L << 20);
    assertEquals(1, units.size());
    assertEquals(8192 + (1L << 30), units.get(0).estimatedBytes());
  }

  @Test
  void moreWorkersGetSmallerPartsSoADominantTableKeepsThemAllBusy() {
    List<Catalog.TableInfo> db = List.of(table("events", 900L << 20, List.of("a")), table("small", 100L << 20,
        List.of("a")));
    assertEquals(64L << 20, Dumper.splitFor(db, 64L << 20, 2), "1000 MiB for 2 workers: the default parts");
    long split = Dumper.splitFor(db, 64L << 20, 8);
    assertEquals(Dumper.MIN_BALANCE_SPLIT, split, "1000 MiB / 32 parts would be 31 MiB: the floor");
    long eventParts = Dumper.plan(db, split).stream().filter(u -> u.table().name().equals("events")).count();
    assertTrue(eventParts >= 8 * 3, "events alone has parts for every worker several times: " + eventParts);
    assertEquals(1L << 20, Dumper.splitFor(db, 1L << 20, 8), "a configured smaller split stays");
  }
}
