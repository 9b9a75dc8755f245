package dev.cairn.restore;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.compress.Chunks;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.ConnectionLoss;
import dev.cairn.engine.CopySession;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import dev.cairn.pgcopy.CopyConnection;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.storage.Scratch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Restores an archive into an empty database, after every check that can be made without changing
 * anything ({@link Preflight}) and, with --globals, the creation of the missing roles and tablespaces:
 * pg_restore pre-data; parallel COPY FROM of the parts; large objects; sequence values; pg_restore
 * post-data with -j; refresh of the populated materialized views in dependency order; ANALYZE (a
 * schema-only backup skips the data steps, a data-only one the schema sections). Succeeds only if every
 * step succeeded and every table's row count matches the manifest. Runs on the caller's Vert.x context;
 * one instance per restore.
 */
public final class Restorer {
  private static final Logger LOG = Logger.getLogger("cairn.restore");

  /** {@code globals}: create the backup's roles and tablespaces that the target lacks, first. */
  public record Options(int jobs, boolean create, boolean clean, List<String> tables, boolean noOwner,
      boolean noAcl, boolean globals, Path pgBin) {}

  /** {@code notes}: what a partial restore left out on purpose (e.g. a foreign key to a table not restored). */
  public record Result(Manifest manifest, String database, int tables, long rows, List<String> notes) {}

  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec target;
  private final Options opts;
  private final List<CopyConnection> workers = new CopyOnWriteArrayList<>();
  private final ChildProcess pgRestore = new ChildProcess();
  private final ChildProcess vacuumdb = new ChildProcess();
  private final Chunks chunks;
  private volatile boolean stopping;
  /** Set once the restore starts writing into the target database: a failure from then on leaves it partial. */
  private boolean targetChanged;
  private Throwable firstFailure;
  /** Set on the context before loading; read by {@link #cancel} from any thread. */
  private volatile PostDataBuild building;
  private DataLoad loading;
  private Consumer<Progress> progress = p -> {};
  private Phase phase = Phase.PRE_DATA;

  public Restorer(Vertx vertx, Pools pools, ConnSpec target, Options opts) {
    this.vertx = vertx;
    this.pools = pools;
    this.target = target;
    this.opts = opts;
    this.chunks = new Chunks(vertx);
  }

  /**
   * Called on the context at the start and at each {@link Phase} (pre-data, copying, large objects,
   * sequences, building indexes, refreshing materialized views, ANALYZE), after every chunk sent and after
   * every table loaded; the work is COPY text bytes of the selected tables' parts, from the manifest. Only
   * the copying phase is measured.
   */
  public Restorer onProgress(Consumer<Progress> listener) {
    this.progress = listener;
    return this;
  }

  /**
   * Stops the restore: pg_restore and vacuumdb are stopped, running COPYs cancelled on the server, and no
   * further step starts; {@link #run} then fails. Safe from any thread.
   */
  public void cancel() {
    stopping = true;
    pgRestore.cancel();
    vacuumdb.cancel();
    PostDataBuild b = building;
    if (b != null) {
      b.cancel();
    }
    workers.forEach(CopyConnection::cancel);
  }

  /** Never throws: a synchronous failure fails the future, so no job wedges. */
  public Future<Result> run(Supplier<ArchiveReader> archive) {
    try {
      return restoreFrom(archive);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Result> restoreFrom(Supplier<ArchiveReader> archive) {
    return pools.io().executeBlocking(archive::get, false).compose(reader -> {
      Future<Result> f;
      try {
        Manifest m = Manifest.parse(reader.manifestJson(), reader.name());
        f = restore(reader, m);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      return f.eventually(() -> pools.io().executeBlocking(() -> {
        reader.close();
        return null;
      }, false));
    });
  }

  private Future<Result> restore(ArchiveReader reader, Manifest m) {
    List<Manifest.Table> selected = select(m, opts.tables());
    java.time.Instant started = java.time.Instant.now();
    report();
    return pools.io().executeBlocking(() -> Scratch.create("cairn-restore-"), false)
        .compose(scratch -> new Preflight(vertx, pools, target, opts, pgRestore).plan(reader, m, selected, scratch)
            .compose(plan -> {
              CairnException failure = plan.failure();
              if (failure != null) {
                return Future.failedFuture(failure);
              }
              plan.toc().notes().forEach(n -> LOG.warning(() -> "[restore " + m.id() + "] " + n));
              LOG.info(() -> "[restore " + m.id() + "] restoring " + describe(m.content()) + " into "
                  + target.describe() + " with " + plan.tool().path() + " " + plan.tool().version());
              return (plan.globals() == null ? Future.<Void>succeededFuture()
                      : GlobalsRestore.apply(vertx, target, plan.globals(), m.id()))
                  .compose(v -> steps().prepareDatabase(m))
                  .compose(v -> steps(reader, m, selected, plan, scratch))
                  .compose(res -> !opts.create() && !opts.clean() ? Future.succeededFuture(res)
                      : DatabaseProperties.apply(vertx, pools, target, plan.tool(), plan.schema(), scratch, m, opts,
                          pgRestore)
                          .map(res));
            })
            .recover(e -> ConnectionLoss.explain(vertx, target, started, e)
                .compose(x -> Future.failedFuture(targetChanged ? leftPartial(x, m) : x)))
            .eventually(() -> pools.io().executeBlocking(() -> {
              scratch.close();
              return null;
            }, false)));
  }

  /** A failure after the target database was changed says so, and how to start again. */
  private CairnException leftPartial(Throwable t, Manifest m) {
    CairnException e = CairnException.wrap(t, ErrorCode.INTERNAL, "restore of " + m.id());
    String db = target.database();
    String retry = m.content() == Manifest.Content.DATA_ONLY
        ? "empty the tables of database " + db + " (TRUNCATE), then restore again"
        : "restore again with --clean, which drops database " + db + " and creates it anew";
    return new CairnException(e.code(), e.getMessage() + "; database " + db + " is left partly restored",
        e.hint() == null ? retry : e.hint() + "; then " + retry, e.sqlState(), e);
  }

  /** What a backup of this content restores, for messages: "schema and data", "schema only", "data only". */
  public static String describe(Manifest.Content c) {
    return switch (c) {
      case ALL -> "schema and data";
      case SCHEMA_ONLY -> "schema only";
      case DATA_ONLY -> "data only";
    };
  }

  /**
   * The steps of a backup's content: a schema-only backup has no data, sequence values or views to
   * refresh; a data-only one has no schema sections (its tables exist) but its large objects.
   */
  private Future<Result> steps(ArchiveReader reader, Manifest m, List<Manifest.Table> selected, Preflight.Plan plan,
      Scratch scratch) {
    PgRestoreRun pg = new PgRestoreRun(pools, target, opts, plan.tool(), plan.schema(),
        plan.facts().maintenanceWorkers());
    Path listFile = plan.toc().listFile();
    boolean partial = !opts.tables().isEmpty();
    boolean schemaSections = m.content() != Manifest.Content.DATA_ONLY;
    boolean data = m.content() != Manifest.Content.SCHEMA_ONLY;
    Map<String, Long> phases = new java.util.LinkedHashMap<>();
    targetChanged = true;
    // With schema and data, each table's own indexes and constraints are built as soon as it is loaded.
    boolean overlap = schemaSections && data;
    return (schemaSections ? timed(phases, Phase.PRE_DATA, () -> pg.run(pgRestore, "pre-data", 1, listFile, null))
            : Future.<Void>succeededFuture())
        .compose(v -> overlap ? PostDataBuild.plan(pg, pgRestore, scratch, m, selected, partial)
            .map(split -> new PostDataBuild(vertx, pools, target, opts, pg, scratch, selected, split))
            : Future.<PostDataBuild>succeededFuture(null))
        .compose(build -> {
          building = build;
          return (data ? timed(phases, Phase.COPYING, () -> load(reader, copySettings(m), selected,
                !schemaSections, build))
              : Future.succeededFuture(0L))
            // Large objects and materialized views belong to the whole database, not to a table.
            .compose(rows -> (partial || !data ? Future.<Void>succeededFuture()
                    : timed(phases, Phase.LARGE_OBJECTS, () -> pg.run(pgRestore, schemaSections ? "data" : null, 1,
                        null, null)))
                .compose(v -> data ? timed(phases, Phase.SEQUENCES, () -> steps().setSequences(sequencesFor(m, selected,
                    partial, plan.toc().sequences())))
                    : Future.<Void>succeededFuture())
                // the tables' own builds may still run: a failure here stops them before it is reported
                .recover(e -> {
                  if (build == null) {
                    return Future.failedFuture(e);
                  }
                  failed(e);
                  return stopBuilds(build).mapEmpty();
                })
                .compose(v -> !schemaSections ? Future.<Void>succeededFuture()
                    : timed(phases, Phase.BUILDING_INDEXES, () -> build != null ? build.drained(null)
                        .transform(x -> firstFailure != null ? Future.failedFuture(firstFailure) : build.rest())
                        : pg.run(pgRestore, "post-data", opts.jobs(), listFile, null)))
                .compose(v -> partial || !data ? Future.<Void>succeededFuture()
                    : timed(phases, Phase.REFRESHING_MATVIEWS, () -> steps().refreshMatviews(m.matviews())))
                .compose(v -> !data ? Future.<Void>succeededFuture()
                    : timed(phases, Phase.ANALYZE, () -> build != null ? build.analyzeRest() : steps().analyze(plan.tool())))
                .map(v -> {
                  LOG.info(() -> "[restore " + m.id() + "] phases: " + phases.entrySet().stream()
                      .map(e -> e.getKey() + " " + e.getValue() / 1000.0 + " s")
                      .collect(Collectors.joining(", "))
                      + (build == null ? "" : "; " + build.summary()));
                  return new Result(m, target.database(), selected.size(), rows, plan.toc().notes());
                }));
        });
  }

  /**
   * All sequences; for a partial restore, those not owned by a table left out, and those that are but were
   * brought along ({@code brought}) because a restored table uses them.
   */
  private static List<Manifest.Sequence> sequencesFor(Manifest m, List<Manifest.Table> selected, boolean partial,
      java.util.Set<String> brought) {
    if (!partial) {
      return m.sequences();
    }
    var names = selected.stream().map(Manifest.Table::qualifiedName).collect(Collectors.toSet());
    return m.sequences().stream()
        .filter(s -> s.ownerName() == null || names.contains(s.ownerSchema() + "." + s.ownerName())
            || brought.contains(s.schema() + "." + s.name()))
        .toList();
  }

  /** The tables named (schema.table), in that order; all without names. */
  public static List<Manifest.Table> select(Manifest m, List<String> tables) {
    if (tables.isEmpty()) {
      return m.tables();
    }
    Map<String, Manifest.Table> byName = m.tables().stream()
        .collect(Collectors.toMap(Manifest.Table::qualifiedName, t -> t, (a, b) -> a));
    List<Manifest.Table> out = new ArrayList<>();
    for (String name : tables) {
      Manifest.Table t = byName.get(name);
      if (t == null) {
        throw new CairnException(ErrorCode.USAGE, "table " + name + " is not in backup " + m.id(),
            "name tables as schema.table; cairn show " + m.id() + " lists them");
      }
      out.add(t);
    }
    return out;
  }

  /**
   * {@code intoExisting}: the tables exist with their constraints and triggers (a data-only restore), so
   * the loads run with session_replication_role = replica (as pg_restore --disable-triggers) and without
   * the TRUNCATE that lets COPY freeze rows (a table referenced by a foreign key cannot be truncated).
   */
  /** What the COPY text was written with: the backup's recorded settings, or those of older archives. */
  private static Map<String, String> copySettings(Manifest m) {
    return m.copySettings() == null ? CopySession.LEGACY : m.copySettings();
  }

  private void report() {
    DataLoad l = loading;
    progress.accept(l == null ? new Progress(0, 0, 0, 0, 0, 0, phase) : l.progress(phase));
  }

  /** The first failure is the cause; it stops the other loads and builds, whose errors are consequences. */
  private void failed(Throwable e) {
    if (firstFailure == null) {
      firstFailure = e;
      cancel();
    }
  }

  /** After a failure: no further build starts; fails with the cause once the running one has ended. */
  private Future<Long> stopBuilds(PostDataBuild build) {
    build.stop();
    return build.drained(firstFailure).transform(x -> Future.failedFuture(firstFailure));
  }

  /** {@code build}: null, or where each table goes once its parts are loaded. */
  private Future<Long> load(ArchiveReader reader, Map<String, String> copySettings, List<Manifest.Table> tables,
      boolean intoExisting, PostDataBuild build) {
    loading = new DataLoad(vertx, pools, target, opts.jobs(), chunks, workers, () -> stopping, this::failed,
        this::report);
    if (build != null) {
      build.start(this::failed);
    }
    return loading.run(reader, copySettings, tables, intoExisting, build).transform(ar -> {
      if (firstFailure != null) {
        return build == null ? Future.failedFuture(firstFailure) : stopBuilds(build);
      }
      if (ar.failed()) {
        failed(ar.cause());
        return build == null ? Future.failedFuture(firstFailure) : stopBuilds(build);
      }
      // every row is in: the loaded tables' own builds still running finish in the building-indexes phase
      // (a full "copying" bar with nothing left to copy would be a lie), while large objects and sequences go on
      return Future.succeededFuture(ar.result());
    });
  }

  private TargetSteps steps() {
    return new TargetSteps(vertx, pools, target, opts, () -> stopping, vacuumdb);
  }

  /** Runs one step of the restore, unless it was cancelled, reports its phase, and records how long it took. */
  private <T> Future<T> timed(Map<String, Long> phases, Phase name, java.util.function.Supplier<Future<T>> step) {
    if (stopping) {
      return Future.failedFuture(cancelled());
    }
    phase = name;
    report();
    long t0 = System.nanoTime();
    return step.get().andThen(ar -> phases.put(name.label(), (System.nanoTime() - t0) / 1_000_000));
  }

  static CairnException cancelled() {
    return new CairnException(ErrorCode.CANCELLED, "restore cancelled");
  }


}
