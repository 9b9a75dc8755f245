package dev.cairn.pitr;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the newest {@code keep} restorable base backups and the WAL from the oldest kept one's start on:
 * older base backups and older segments (of every timeline) go. History files stay (they are tiny and every
 * later timeline needs them). A base backup whose WAL is incomplete never counts as kept, so retention can
 * neither delete WAL a kept base backup needs nor cut a hole in the window status reports.
 */
public final class PitrRetention {
  public record Decision(List<String> deleteBases, List<String> deleteWal) {}

  private PitrRetention() {}

  static Decision decide(List<BaseInfo> bases, Window w, List<String> walFiles, int keep) {
    List<BaseInfo> usable = bases.stream().filter(w::usable).toList();
    if (usable.isEmpty()) {
      return new Decision(List.of(), List.of());
    }
    List<BaseInfo> kept = usable.subList(Math.max(0, usable.size() - keep), usable.size());
    BaseInfo oldestKept = kept.get(0);
    long firstNeeded = Segment.of(oldestKept.timeline(), oldestKept.start(), w.segmentSize).number();
    List<String> bases2 = new ArrayList<>();
    for (BaseInfo b : bases) {
      if (b.finished().isBefore(oldestKept.finished())) {
        bases2.add(b.id());
      }
    }
    List<String> wal = new ArrayList<>();
    for (String f : walFiles) {
      Optional<Segment> s = Segment.parse(f, w.segmentSize);
      if (s.isPresent() && s.get().number() < firstNeeded) {
        wal.add(f);
      }
    }
    return new Decision(List.copyOf(bases2), List.copyOf(wal));
  }

  /** Applies the decision: base backups first (their WAL is still there should this stop halfway), then WAL. */
  public static Decision apply(PitrStore store, int keep) {
    ClusterInfo info = store.requireInfo();
    List<String> files = store.walFiles();
    Decision d = decide(store.bases(), Window.of(store, info), files, keep);
    d.deleteBases().forEach(store::deleteBase);
    d.deleteWal().forEach(store::deleteWal);
    return d;
  }
}
