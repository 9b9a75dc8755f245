package dev.cairn.restoretest;

import dev.cairn.archive.Manifest;
import dev.cairn.restore.Restorer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Which tables a restore test restores and proves: named ones, a sample, or all. */
final class TableChoice {
  private TableChoice() {}

  /**
   * {@code names} (schema.table) when given; else with {@code sample > 0} the {@code ceil(sample / 2)} biggest
   * tables (by relation size: where damage costs most) and random others, {@code sample} in all, in the
   * manifest's order; else every table.
   */
  static List<Manifest.Table> choose(Manifest m, List<String> names, int sample) {
    if (!names.isEmpty()) {
      return Restorer.select(m, names);
    }
    if (sample <= 0 || sample >= m.tables().size()) {
      return m.tables();
    }
    List<Manifest.Table> bySize = new ArrayList<>(m.tables());
    bySize.sort(Comparator.comparingLong(Manifest.Table::relBytes).reversed());
    int biggest = (sample + 1) / 2;
    List<Manifest.Table> rest = new ArrayList<>(bySize.subList(biggest, bySize.size()));
    Collections.shuffle(rest, new Random());
    List<Manifest.Table> chosen = new ArrayList<>(bySize.subList(0, biggest));
    chosen.addAll(rest.subList(0, sample - biggest));
    return m.tables().stream().filter(chosen::contains).toList();
  }
}
