package dev.cairn.pitr;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one cluster's WAL in the repository covers: per timeline the segments held, the gaps inside each
 * timeline (by segment name), and, along the newest timeline's lineage, how far WAL replays without a hole from
 * each base backup. Pure: built from a listing, so status, restore and retention agree.
 */
final class Window {
  static final int MAX_GAP_NAMES = 100;

  final long segmentSize;
  final TreeMap<Integer, TreeSet<Long>> segments = new TreeMap<>();
  final Lineage lineage;
  final List<String> gaps = new ArrayList<>();

  private Window(long segmentSize, Lineage lineage) {
    this.segmentSize = segmentSize;
    this.lineage = lineage;
  }

  /** From the file names in the repository and the history files' contents (by timeline). */
  static Window of(long segmentSize, List<String> files, Map<Integer, byte[]> histories) {
    TreeMap<Integer, TreeSet<Long>> segs = new TreeMap<>();
    int newest = 1;
    for (String f : files) {
      Optional<Segment> s = Segment.parse(f, segmentSize);
      if (s.isPresent()) {
        segs.computeIfAbsent(s.get().timeline(), t -> new TreeSet<>()).add(s.get().number());
        newest = Math.max(newest, s.get().timeline());
      }
    }
    for (int t : histories.keySet()) {
      newest = Math.max(newest, t);
    }
    Window w = new Window(segmentSize, Lineage.of(newest, histories.get(newest)));
    w.segments.putAll(segs);
    for (var e : segs.entrySet()) {
      long prev = -1;
      for (long n : e.getValue()) {
        for (long m = prev + 1; prev >= 0 && m < n; m++) {
          if (w.gaps.size() < MAX_GAP_NAMES) {
            w.gaps.add(new Segment(e.getKey(), m).name(segmentSize));
          }
        }
        prev = n;
      }
    }
    return w;
  }

  static Window of(PitrStore store, ClusterInfo info) {
    List<String> files = store.walFiles();
    Map<Integer, byte[]> histories = new HashMap<>();
    for (String f : files) {
      var m = Segment.HISTORY.matcher(f);
      if (m.matches()) {
        store.readWal(f).ifPresent(h -> histories.put(Integer.parseInt(m.group(1), 16), h));
      }
    }
    return of(info.segmentSize(), files, histories);
  }

  boolean has(Segment s) {
    TreeSet<Long> t = segments.get(s.timeline());
    return t != null && t.contains(s.number());
  }

  /** The segment number {@code n} as read along the newest timeline. */
  Segment along(long n) {
    return new Segment(lineage.timelineOf(n, segmentSize), n);
  }

  /** The first segment (along the lineage) from {@code from} that the repository lacks, or empty. */
  Optional<Segment> firstMissing(long from, long through) {
    for (long n = from; n <= through; n++) {
      if (!has(along(n))) {
        return Optional.of(along(n));
      }
    }
    return Optional.empty();
  }

  /** The last segment reachable without a hole from segment {@code from} along the lineage, or empty. */
  Optional<Segment> reach(long from) {
    if (!has(along(from))) {
      return Optional.empty();
    }
    long n = from;
    long last = segments.values().stream().mapToLong(TreeSet::last).max().orElse(from);
    while (n < last && has(along(n + 1))) {
      n++;
    }
    return Optional.of(along(n));
  }

  /** A base backup is restorable when it is on the lineage and all of its WAL (start to stop) is held. */
  boolean usable(BaseInfo b) {
    long from = Segment.of(b.timeline(), b.start(), segmentSize).number();
    long to = Segment.of(b.timeline(), b.stop(), segmentSize).number();
    return lineage.contains(b.timeline()) && firstMissing(from, to).isEmpty();
  }

  List<Integer> timelines() {
    TreeSet<Integer> all = new TreeSet<>(segments.keySet());
    all.addAll(lineage.timelines());
    return List.copyOf(all);
  }
}
