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
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The scheduling of per-table builds while loads go on: pure logic, builds and ANALYZEs completed by hand. */
class PostDataLaneTest {
  private static final PostData.Split SPLIT = new PostData.Split(
      Map.of("a", List.of("1; a_pkey"), "b", List.of("2; b_pkey", "3; b_idx")), List.of("8; view_idx", "9; fk"),
      Map.of("9; fk", Set.of("a", "b")));

  private final List<Promise<Void>> builds = new ArrayList<>();
  private final List<List<String>> entries = new ArrayList<>();
  private final List<Promise<Void>> analyzes = new ArrayList<>();
  private final List<List<String>> analyzed = new ArrayList<>();
  private final List<Throwable> failures = new ArrayList<>();

  private PostDataLane lane() {
    return new PostDataLane(SPLIT, new PostDataLane.Build() {
      @Override
      public Future<Void> run(List<String> tables, List<String> e) {
        Promise<Void> p = Promise.promise();
        builds.add(p);
        entries.add(e);
        return p.future();
      }

      @Override
      public Future<Void> analyze(List<String> tables) {
        Promise<Void> p = Promise.promise();
        analyzes.add(p);
        analyzed.add(tables);
        return p.future();
      }
    }, failures::add);
  }

  @Test
  void oneBuildAtATimeTakingEveryTableLoadedWhileThePreviousRanAndTheirAnalyzeOverlapsTheNext() {
    PostDataLane lane = lane();
    lane.loaded("a");
    lane.loaded("b");
    lane.loaded("c");
    assertEquals(List.of(List.of("a")), lane.batches(), "a starts at once; b and c wait for it");
    builds.get(0).complete();
    assertEquals(List.of(List.of("a"), List.of("b", "c")), lane.batches());
    assertEquals(List.of(List.of("1; a_pkey"), List.of("2; b_pkey", "3; b_idx")), entries,
        "c has no entries of its own: only its ANALYZE");
    assertEquals(List.of(List.of("a")), analyzed, "a is analyzed while b and c are built");
    Future<Void> drained = lane.drained(null);
    builds.get(1).complete();
    assertEquals(List.of(List.of("1; a_pkey"), List.of("2; b_pkey", "3; b_idx"), List.of("9; fk")), entries,
        "the foreign key follows once a and b are built");
    assertEquals(1, analyzed.size(), "one ANALYZE at a time");
    analyzes.get(0).complete();
    assertEquals(List.of(List.of("a"), List.of("b", "c")), analyzed);
    builds.get(2).complete();
    assertFalse(drained.isComplete(), "the ANALYZE of b and c still runs");
    analyzes.get(1).complete();
    assertTrue(drained.succeeded());
    assertEquals(List.of("8; view_idx"), lane.rest(), "the foreign key is built; the view's index waits for the end");
    assertEquals(1, lane.jointsBuilt());
  }

  @Test
  void aForeignKeyWhoseTablesAreNotAllBuiltIsLeftForTheEnd() {
    PostDataLane lane = lane();
    lane.loaded("a");
    builds.get(0).complete();
    analyzes.get(0).complete();
    Future<Void> drained = lane.drained(null);
    assertTrue(drained.succeeded());
    assertEquals(1, builds.size());
    assertEquals(List.of("8; view_idx", "9; fk"), lane.rest());
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
    assertTrue(analyzed.isEmpty(), "a table whose build failed is not analyzed");
    Future<Void> drained = lane.drained(null);
    assertSame(boom, drained.cause());
  }

  @Test
  void aFailedAnalyzeStopsTheLaneAndIsReported() {
    PostDataLane lane = lane();
    lane.loaded("a");
    builds.get(0).complete();
    lane.loaded("b");
    IllegalStateException boom = new IllegalStateException("cannot analyze table a");
    analyzes.get(0).fail(boom);
    assertEquals(List.of(boom), failures);
    builds.get(1).complete();
    assertEquals(2, builds.size(), "no build starts after the failure");
    assertEquals(1, analyzed.size());
    assertSame(boom, lane.drained(null).cause());
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

  /**
   * However loads, build and ANALYZE completions interleave, every table is built and analyzed exactly
   * once, in load order, and the foreign key is built once, after both its tables.
   */
  @Property(tries = 300)
  void everyLoadedTableIsBuiltAndAnalyzedOnceInLoadOrder(@ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0,
      max = 3) Integer> steps) {
    builds.clear();
    entries.clear();
    analyzes.clear();
    analyzed.clear();
    PostDataLane lane = lane();
    List<String> loaded = new ArrayList<>();
    int built = 0;
    int done = 0;
    for (int step : steps) {
      if (step == 0 && built < builds.size()) {
        builds.get(built++).complete();
      } else if (step == 1 && done < analyzes.size()) {
        analyzes.get(done++).complete();
      } else {
        String t = loaded.size() < 2 ? List.of("b", "a").get(loaded.size()) : "t" + loaded.size();
        loaded.add(t);
        lane.loaded(t);
      }
    }
    for (String t : List.of("b", "a").subList(Math.min(2, loaded.size()), 2)) {
      loaded.add(t);
      lane.loaded(t);
    }
    Future<Void> drained = lane.drained(null);
    while (built < builds.size() || done < analyzes.size()) {
      if (built < builds.size()) {
        builds.get(built++).complete();
      } else {
        analyzes.get(done++).complete();
      }
    }
    assertTrue(drained.succeeded());
    assertEquals(loaded, lane.batches().stream().flatMap(List::stream).toList());
    assertEquals(loaded, analyzed.stream().flatMap(List::stream).toList());
    List<String> all = entries.stream().flatMap(List::stream).toList();
    assertEquals(1, all.stream().filter("9; fk"::equals).count());
    assertTrue(all.indexOf("9; fk") > all.indexOf("1; a_pkey") && all.indexOf("9; fk") > all.indexOf("3; b_idx"));
    assertEquals(List.of("8; view_idx"), lane.rest());
  }
}
