package dev.cairn.pitr;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Which timeline each WAL segment is read from when recovering along a target timeline: its history file lists
 * its ancestors and the LSN where each ended. The segment holding a switch point is read from the newer timeline,
 * as PostgreSQL does.
 */
record Lineage(int target, List<Integer> ancestors, List<Lsn> switches) {
  static Lineage of(int target, byte[] history) {
    List<Integer> tlis = new ArrayList<>();
    List<Lsn> ends = new ArrayList<>();
    if (history != null) {
      for (String line : new String(history, StandardCharsets.UTF_8).split("\n")) {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
          continue;
        }
        String[] f = t.split("\\s+");
        if (f.length >= 2 && f[0].matches("\\d+") && Lsn.looksLike(f[1])) {
          tlis.add(Integer.parseInt(f[0]));
          ends.add(Lsn.parse(f[1]));
        }
      }
    }
    return new Lineage(target, List.copyOf(tlis), List.copyOf(ends));
  }

  int timelineOf(long segment, long segmentSize) {
    for (int i = 0; i < ancestors.size(); i++) {
      if (segment < Long.divideUnsigned(switches.get(i).value(), segmentSize)) {
        return ancestors.get(i);
      }
    }
    return target;
  }

  boolean contains(int timeline) {
    return timeline == target || ancestors.contains(timeline);
  }

  List<Integer> timelines() {
    List<Integer> all = new ArrayList<>(ancestors);
    all.add(target);
    return all;
  }
}
