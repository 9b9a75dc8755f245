package dev.cairn.restore;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Builds each table's own post-data entries while other tables still load: one build at a time, each
 * taking every table loaded since the previous one began, so 10,000 small tables cost a few pg_restore
 * runs rather than 10,000; a build itself runs its indexes in parallel (pg_restore -j). A joint entry (a
 * foreign key) joins the first build after all its tables are built. Each build's tables are then
 * ANALYZEd, one ANALYZE at a time, while the next build runs (their CPU is the server's either way; the
 * overlap keeps a core from idling at the end). The first failure stops the lane and is handed to
 * {@code onFailure} at once (the restore stops its loads). Not thread-safe: called on the restore's context.
 */
final class PostDataLane {
  /** The work of the lane, each step on its own connection or process. */
  interface Build {
    /** Builds {@code entries} (listing lines, not empty), which belong to {@code tables} (possibly none). */
    Future<Void> run(List<String> tables, List<String> entries);

    /** ANALYZE of {@code tables} (not empty). */
    Future<Void> analyze(List<String> tables);
  }

  private final PostData.Split split;
  private final Build build;
  private final Consumer<Throwable> onFailure;
  private final List<String> pending = new ArrayList<>();
  private final Set<String> built = new HashSet<>();
  /** Joint entries not yet built, with their tables, in listing order. */
  private final Map<String, Set<String>> joints;
  private final Promise<Void> drained = Promise.promise();
  private final List<List<String>> batches = new ArrayList<>();
  private boolean running;
  private Future<Void> analyzing = Future.succeededFuture();
  private boolean finishing;
  private boolean stopped;
  private Throwable failure;

  PostDataLane(PostData.Split split, Build build, Consumer<Throwable> onFailure) {
    this.split = split;
    this.build = build;
    this.onFailure = onFailure;
    this.joints = new LinkedHashMap<>(split.joint());
  }

  /** Every part of {@code table} (schema.name) is loaded. */
  void loaded(String table) {
    pending.add(table);
    next();
  }

  /** No build starts after this; {@link #drained} then fails once the running one has ended. */
  void stop() {
    stopped = true;
    next();
  }

  /**
   * After the last load: completes once every loaded table is built and analyzed; fails with the first
   * failure, or after {@link #stop} (with {@code reason}).
   */
  Future<Void> drained(Throwable reason) {
    finishing = true;
    if (stopped && failure == null) {
      failure = reason;
    }
    next();
    return drained.future();
  }

  /** The tables of each build started so far, in order (for tests and the log). */
  List<List<String>> batches() {
    return List.copyOf(batches);
  }

  /** How many joint entries the lane has built (the others are left for the end). */
  int jointsBuilt() {
    return split.joint().size() - joints.size();
  }

  /** The entries of {@code split.rest()} the lane has not built, in listing order. */
  List<String> rest() {
    return split.rest().stream().filter(l -> !split.joint().containsKey(l) || joints.containsKey(l)).toList();
  }

  private void next() {
    if (running) {
      return;
    }
    if (stopped || failure != null) {
      if (finishing) {
        Throwable why = failure != null ? failure : new IllegalStateException("post-data lane stopped");
        analyzing.onComplete(ar -> drained.tryFail(why));
      }
      return;
    }
    List<String> tables = List.copyOf(pending);
    pending.clear();
    List<String> entries = new ArrayList<>();
    for (String t : tables) {
      entries.addAll(split.byTable().getOrDefault(t, List.of()));
    }
    List<String> ready = joints.entrySet().stream().filter(j -> built.containsAll(j.getValue()))
        .map(Map.Entry::getKey).toList();
    ready.forEach(joints::remove);
    entries.addAll(ready);
    if (tables.isEmpty() && entries.isEmpty()) {
      if (finishing) {
        analyzing.onComplete(ar -> {
          if (ar.succeeded()) {
            drained.tryComplete();
          } else {
            drained.tryFail(failure != null ? failure : ar.cause());
          }
        });
      }
      return;
    }
    if (!tables.isEmpty()) {
      batches.add(tables);
    }
    running = true;
    call(() -> entries.isEmpty() ? Future.succeededFuture() : build.run(tables, entries)).onComplete(ar -> {
      running = false;
      if (ar.failed()) {
        fail(ar.cause());
      } else {
        built.addAll(tables);
        if (!tables.isEmpty()) {
          analyzing = analyzing.compose(v -> failure != null ? Future.failedFuture(failure)
              : call(() -> build.analyze(tables)).onFailure(this::fail));
        }
      }
      next();
    });
  }

  private void fail(Throwable e) {
    if (failure == null) {
      failure = e;
      onFailure.accept(e);
    }
  }

  private static Future<Void> call(java.util.function.Supplier<Future<Void>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
