package dev.cairn.restore;

import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Pools;
import dev.cairn.pgtools.ChildProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The post-data section of a restore with schema and data, overlapped with loading: each table's own
 * entries ({@link PostData}) and its ANALYZE run in a {@link PostDataLane} as soon as its last part is
 * loaded, a foreign key as soon as its tables are built; the entries that need none of the tables run
 * with {@code -j} once everything is loaded, then the relations the lane did not analyze (partitioned
 * parents, inheritance parents, materialized views). Not thread-safe but for {@link #cancel}: used on the
 * restore's context.
 */
final class PostDataBuild {
  /** Partitioned and inheritance parents (their statistics cover their children) and populated views. */
  private static final String UNANALYZED = "SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c"
      + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE (c.relkind IN ('p', 'm') OR (c.relkind = 'r' AND"
      + " c.relhassubclass)) AND c.relispopulated AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
      + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

  private final Vertx vertx;
  private final ConnSpec target;
  private final Restorer.Options opts;
  private final PgRestoreRun pg;
  private final Pools pools;
  private final dev.cairn.storage.Scratch scratch;
  private final PostData.Split split;
  private final Map<String, Manifest.Table> tables = new HashMap<>();
  private final ChildProcess process = new ChildProcess();
  private PostDataLane lane;
  private int lists;
  private int builtEarly;

  PostDataBuild(Vertx vertx, Pools pools, ConnSpec target, Restorer.Options opts, PgRestoreRun pg,
      dev.cairn.storage.Scratch scratch, List<Manifest.Table> selected, PostData.Split split) {
    this.vertx = vertx;
    this.pools = pools;
    this.target = target;
    this.opts = opts;
    this.pg = pg;
    this.scratch = scratch;
    this.split = split;
    selected.forEach(t -> tables.put(t.qualifiedName(), t));
  }

  /** The split of the schema file's post-data entries; a partial restore's choice (TocFilter) is kept. */
  static Future<PostData.Split> plan(PgRestoreRun pg, ChildProcess process, dev.cairn.storage.Scratch scratch,
      Manifest m, List<Manifest.Table> selected, boolean partial) {
    Set<String> names = selected.stream().map(Manifest.Table::qualifiedName).collect(Collectors.toSet());
    Set<String> schemas = new HashSet<>();
    m.tables().forEach(t -> schemas.add(t.schema()));
    m.sequences().forEach(s -> schemas.add(s.schema()));
    m.matviews().forEach(v -> schemas.add(v.schema()));
    return pg.list(process, null).compose(listing -> pg.sectionIds(process, "post-data", scratch).map(post ->
        PostData.split(listing, post, names, schemas,
            partial ? Set.copyOf(TocFilter.filter(listing, m, selected).keep()) : null)));
  }

  /** Builds start as tables are loaded; {@code onFailure} is told the first failure at once. */
  void start(Consumer<Throwable> onFailure) {
    lane = new PostDataLane(split, new PostDataLane.Build() {
      @Override
      public Future<Void> run(List<String> tables, List<String> entries) {
        return build(tables, entries);
      }

      @Override
      public Future<Void> analyze(List<String> tables) {
        return PostDataBuild.this.analyze(tables);
      }
    }, onFailure);
  }

  /** Every part of {@code table} (schema.name) is loaded. */
  void loaded(String table) {
    lane.loaded(table);
  }

  void stop() {
    lane.stop();
  }

  /** Once every loaded table is built (see {@link PostDataLane#drained}). */
  Future<Void> drained(Throwable reason) {
    return lane.drained(reason);
  }

  /** Stops a running pg_restore; safe from any thread. */
  void cancel() {
    process.cancel();
  }

  /** After every load and the lane: the entries the lane did not build. */
  Future<Void> rest() {
    List<String> rest = lane.rest();
    if (rest.isEmpty()) {
      return Future.succeededFuture();
    }
    return listFile(rest).compose(list -> pg.run(process, "post-data", opts.jobs(), list, null));
  }

  /** ANALYZE of what the lane did not analyze: parents (of partitions or inheritance children), views. */
  Future<Void> analyzeRest() {
    return PgConnect.connect(vertx, target)
        .compose(c -> c.query(UNANALYZED).execute().compose(rs -> {
          List<String> names = new ArrayList<>();
          for (Row r : rs) {
            names.add(r.getString("name"));
          }
          return names.isEmpty() ? Future.<Void>succeededFuture()
              : c.query("ANALYZE " + String.join(", ", names)).execute().<Void>mapEmpty();
        }).eventually(() -> c.close()))
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot analyze " + target.database())));
  }

  /** For the log: how much was built while loading. */
  String summary() {
    return "post-data: " + builtEarly + " of " + split.entries() + " entries built as their tables were loaded ("
        + lane.jointsBuilt() + " of them foreign keys or other entries of several tables), in " + lane.batches().size()
        + " runs";
  }

  private Future<Void> build(List<String> names, List<String> entries) {
    String what = names.isEmpty() ? "the constraints between loaded tables" : "the indexes and constraints of "
        + describe(names);
    builtEarly += entries.size();
    return listFile(entries).compose(list -> pg.run(process, "post-data", Math.min(opts.jobs(), entries.size()), list,
        "building " + what));
  }

  private Future<Void> analyze(List<String> names) {
    String analyze = names.stream().map(n -> tables.get(n).sqlName()).collect(Collectors.joining(", "));
    return PgConnect.connect(vertx, target)
        .compose(c -> c.query("ANALYZE " + analyze).execute().<Void>mapEmpty().eventually(() -> c.close()))
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot analyze " + describe(names))));
  }

  private Future<Path> listFile(List<String> entries) {
    String name = "post-data-" + (++lists) + ".list";
    byte[] content = String.join("\n", entries).concat("\n").getBytes(StandardCharsets.UTF_8);
    return pools.io().executeBlocking(() -> {
      scratch.write(name, content);
      return scratch.file(name);
    }, false);
  }

  /** "table public.events", "tables public.a, public.b and 3 more". */
  static String describe(List<String> names) {
    if (names.size() == 1) {
      return "table " + names.get(0);
    }
    List<String> shown = names.subList(0, Math.min(3, names.size()));
    return "tables " + String.join(", ", shown) + (names.size() > shown.size() ? " and " + (names.size()
        - shown.size()) + " more" : "");
  }
}
