package dev.cairn.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.archive.Manifest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CatalogTopoSortTest {
  @Test
  void viewsComeAfterTheViewsTheyRead() {
    Map<Long, Manifest.Matview> views = new LinkedHashMap<>();
    views.put(1L, new Manifest.Matview("s", "a_reads_c", true));
    views.put(2L, new Manifest.Matview("s", "b_alone", true));
    views.put(3L, new Manifest.Matview("s", "c_base", true));
    List<Manifest.Matview> order = Catalog.topoSort(views, List.of(new long[] {1, 3}));
    assertEquals(List.of("b_alone", "c_base", "a_reads_c"), order.stream().map(Manifest.Matview::name).toList());
  }

  @Test
  void dependenciesOnViewsOutsideTheSelectionAreIgnored() {
    Map<Long, Manifest.Matview> views = new LinkedHashMap<>();
    views.put(1L, new Manifest.Matview("s", "a", true));
    assertEquals(1, Catalog.topoSort(views, List.of(new long[] {1, 99})).size());
  }
}
