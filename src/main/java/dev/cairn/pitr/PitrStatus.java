package dev.cairn.pitr;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One cluster's recovery window: {@code from} is the end of the oldest base backup from which WAL replays without
 * a hole to the newest segment reachable, {@code to} the commit time of the last transaction in that WAL (null
 * when there is no window yet); the WAL lag as the agent last measured it, gaps by segment name, timelines.
 */
public record PitrStatus(String name, Instant from, Instant to, Double lagSeconds, List<String> gaps,
    List<Integer> timelines, int baseBackups, String lastSegment) {
  /** Older than this, the agent's lag figure is stale and grows with its age (the agent is not reporting). */
  static final Duration STATE_FRESH = Duration.ofSeconds(30);

  public static PitrStatus of(PitrStore store, Path pgBin, Instant now) {
    ClusterInfo info = store.requireInfo();
    Window w = Window.of(store, info);
    List<BaseInfo> bases = store.bases().stream().filter(w::usable).toList();
    Instant from = null;
    Instant to = null;
    String lastName = null;
    Optional<Segment> best = Optional.empty();
    for (BaseInfo b : bases) {
      Optional<Segment> r = w.reach(Segment.of(b.timeline(), b.start(), info.segmentSize()).number());
      if (r.isPresent() && (best.isEmpty() || r.get().number() > best.get().number())) {
        best = r;
      }
    }
    if (best.isPresent()) {
      long end = best.get().number();
      BaseInfo oldest = bases.stream().filter(b -> w.reach(Segment.of(b.timeline(), b.start(), info.segmentSize())
          .number()).map(s -> s.number() == end).orElse(false)).min(Comparator.comparing(BaseInfo::finished)).orElseThrow();
      from = oldest.finished();
      lastName = best.get().name(info.segmentSize());
      long newestStart = bases.stream().mapToLong(b -> Segment.of(b.timeline(), b.start(), info.segmentSize()).number())
          .max().orElse(end);
      to = LastCommit.find(store, info, w, best.get(), newestStart, pgBin).orElse(from);
      if (to.isBefore(from)) {
        to = from;
      }
    }
    return new PitrStatus(store.cluster(), from, to, lag(store, now), List.copyOf(w.gaps), w.timelines(),
        store.bases().size(), lastName);
  }

  static Double lag(PitrStore store, Instant now) {
    return store.state().map(s -> lag(s, now)).orElse(null);
  }

  /** The lag of an agent's state as of {@code now}: growing with the state's age once it is stale; null without one. */
  static Double lag(JsonObject state, Instant now) {
    String at = state.getString("checked");
    if (at == null || !state.containsKey("lag_seconds")) {
      return null;
    }
    double lag = state.getDouble("lag_seconds", 0.0);
    Duration age = Duration.between(Instant.parse(at), now);
    return age.compareTo(STATE_FRESH) > 0 ? lag + age.toMillis() / 1000.0 : lag;
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name)
        .put("window", new JsonObject().put("from", from == null ? null : from.toString())
            .put("to", to == null ? null : to.toString()))
        .put("lag_seconds", lagSeconds).put("gaps", new JsonArray(List.copyOf(gaps)))
        .put("timelines", new JsonArray(List.copyOf(timelines)));
  }
}
