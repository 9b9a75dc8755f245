package dev.cairn.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DumperPlanTest {
  private static Catalog.TableInfo table(String name, long bytes, List<String> cols) {
    return new Catalog.TableInfo(1, "public", name, false, bytes, 8192, cols, List.of(), List.of());
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
}
