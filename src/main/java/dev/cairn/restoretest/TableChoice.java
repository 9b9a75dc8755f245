package dev.cairn.restoretest;

import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;

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
      Map<String, Manifest.Table> byName = m.tables().stream()
          .collect(Collectors.toMap(Manifest.Table::qualifiedName, Function.identity(), (a, b) -> a));
      List<Manifest.Table> out = new ArrayList<>();
      for (String n : names) {
        Manifest.Table t = byName.get(n);
        if (t == null) {
          throw new CairnException(ErrorCode.USAGE, "table " + n + " is not in backup " + m.id(),
              "name tables as schema.table; cairn show " + m.id() + " lists them");
        }
        out.add(t);
      }
      return out;
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
