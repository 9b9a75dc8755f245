package dev.cairn.restore;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Builds each table's own post-data entries (and ANALYZEs it) while other tables still load: one build at a
 * time, each taking every table loaded since the previous one began, so 10,000 small tables cost a few
 * pg_restore runs rather than 10,000; a build itself runs its indexes in parallel (pg_restore -j). The
 * first failure stops the lane and is handed to {@code onFailure} at once (the restore stops its loads).
 * Not thread-safe: called on the restore's context.
 */
final class PostDataLane {
  /** Builds {@code entries} (listing lines, possibly none) of {@code tables}, then ANALYZEs the tables. */
  interface Build {
    Future<Void> run(List<String> tables, List<String> entries);
  }

  private final PostData.Split split;
  private final Build build;
  private final Consumer<Throwable> onFailure;
  private final List<String> pending = new ArrayList<>();
  private final Promise<Void> drained = Promise.promise();
  private final List<List<String>> batches = new ArrayList<>();
  private boolean running;
  private boolean finishing;
  private boolean stopped;
  private Throwable failure;

  PostDataLane(PostData.Split split, Build build, Consumer<Throwable> onFailure) {
    this.split = split;
    this.build = build;
    this.onFailure = onFailure;
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
   * After the last load: completes once every loaded table is built; fails with the first build's failure,
   * or after {@link #stop} (with {@code reason}).
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

  private void next() {
    if (running) {
      return;
    }
    if (stopped || failure != null) {
      if (finishing) {
        drained.tryFail(failure != null ? failure : new IllegalStateException("post-data lane stopped"));
      }
      return;
    }
    if (pending.isEmpty()) {
      if (finishing) {
        drained.tryComplete();
      }
      return;
    }
    List<String> tables = List.copyOf(pending);
    pending.clear();
    batches.add(tables);
    List<String> entries = new ArrayList<>();
    for (String t : tables) {
      entries.addAll(split.byTable().getOrDefault(t, List.of()));
    }
    running = true;
    Future<Void> f;
    try {
      f = build.run(tables, entries);
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onComplete(ar -> {
      running = false;
      if (ar.failed() && failure == null) {
        failure = ar.cause();
        onFailure.accept(ar.cause());
      }
      next();
    });
  }
}
