package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The scheduling of per-table builds while loads go on: pure logic, builds completed by hand. */
class PostDataLaneTest {
  private static final PostData.Split SPLIT = new PostData.Split(
      Map.of("a", List.of("1; a_pkey"), "b", List.of("2; b_pkey", "3; b_idx")), List.of("9; fk"));

  private final List<Promise<Void>> builds = new ArrayList<>();
  private final List<List<String>> entries = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();

  private PostDataLane lane() {
    return new PostDataLane(SPLIT, (tables, e) -> {
      Promise<Void> p = Promise.promise();
      builds.add(p);
      entries.add(e);
      return p.future();
    }, failures::add);
  }

  @Test
  void oneBuildAtATimeTakingEveryTableLoadedWhileThePreviousRan() {
    PostDataLane lane = lane();
    lane.loaded("a");
    lane.loaded("b");
    lane.loaded("c");
    assertEquals(List.of(List.of("a")), lane.batches(), "a starts at once; b and c wait for it");
    builds.get(0).complete();
    assertEquals(List.of(List.of("a"), List.of("b", "c")), lane.batches());
    assertEquals(List.of(List.of("1; a_pkey"), List.of("2; b_pkey", "3; b_idx")), entries,
        "c has no entries of its own: only its ANALYZE");
    Future<Void> drained = lane.drained(null);
    assertFalse(drained.isComplete(), "the build of b and c still runs");
    builds.get(1).complete();
    assertTrue(drained.succeeded());
  }

  @Test
  void theFirstFailureIsReportedAtOnceAndNoFurtherBuildStarts() {
    PostDataLane lane = lane();
    lane.loaded("a");
    lane.loaded("b");
    IllegalStateException boom = new IllegalStateException("could not create unique index \"a_pkey\"");
    builds.get(0).fail(boom);
    assertEquals(List.of(boom), failures);
    lane.loaded("c");
    assertEquals(1, lane.batches().size());
    Future<Void> drained = lane.drained(null);
    assertSame(boom, drained.cause());
  }

  @Test
  void aStoppedLaneFailsWithTheLoadsCauseOnceItsRunningBuildHasEnded() {
    PostDataLane lane = lane();
    lane.loaded("a");
    lane.stop();
    lane.loaded("b");
    RuntimeException cause = new RuntimeException("load of table b failed");
    Future<Void> drained = lane.drained(cause);
    assertFalse(drained.isComplete(), "the build of a still runs");
    builds.get(0).complete();
    assertSame(cause, drained.cause());
    assertEquals(1, lane.batches().size());
  }

  /** However loads and build completions interleave, every table is built exactly once, in load order. */
  @Property(tries = 200)
  void everyLoadedTableIsBuiltOnceInLoadOrder(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 2)
      Integer> steps) {
    builds.clear();
    PostDataLane lane = lane();
    List<String> loaded = new ArrayList<>();
    int done = 0;
    for (int step : steps) {
      if (step > 0 || done == builds.size()) {
        String t = "t" + loaded.size();
        loaded.add(t);
        lane.loaded(t);
      } else {
        builds.get(done++).complete();
      }
    }
    Future<Void> drained = lane.drained(null);
    while (done < builds.size()) {
      builds.get(done++).complete();
    }
    assertTrue(drained.succeeded());
    assertEquals(loaded, lane.batches().stream().flatMap(List::stream).toList());
  }
}
