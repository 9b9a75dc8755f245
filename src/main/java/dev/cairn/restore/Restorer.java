package dev.cairn.restore;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.archive.RowDigest;
import dev.cairn.archive.Sql;
import dev.cairn.compress.Chunks;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.ConnectionLoss;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.CopySession;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import dev.cairn.pgcopy.CopyClient;
import dev.cairn.pgcopy.CopyConnection;
import dev.cairn.pgcopy.CopyInStream;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.Scratch;
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
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

  private record Load(Manifest.Table table, Manifest.Part part, int index) {}

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
  private Consumer<Progress> progress = p -> {};
  private final Map<String, Integer> partsLeft = new HashMap<>();
  private long bytesDone;
  private long rowsDone;
  private int tablesDone;
  private int tablesTotal;
  private long workTotal;
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
                  .compose(v -> prepareDatabase(m))
                  .compose(v -> steps(reader, m, selected, plan))
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
  private Future<Result> steps(ArchiveReader reader, Manifest m, List<Manifest.Table> selected, Preflight.Plan plan) {
    PgTool tool = plan.tool();
    Path schema = plan.schema();
    Path listFile = plan.toc().listFile();
    boolean partial = !opts.tables().isEmpty();
    boolean schemaSections = m.content() != Manifest.Content.DATA_ONLY;
    boolean data = m.content() != Manifest.Content.SCHEMA_ONLY;
    Map<String, Long> phases = new java.util.LinkedHashMap<>();
    targetChanged = true;
    return (schemaSections ? timed(phases, Phase.PRE_DATA, () -> pgRestore(tool, schema, "pre-data", 1, listFile))
            : Future.<Void>succeededFuture())
        .compose(v -> data ? timed(phases, Phase.COPYING, () -> loadData(reader, copySettings(m), selected,
            !schemaSections))
            : Future.succeededFuture(0L))
        // Large objects and materialized views belong to the whole database, not to a table.
        .compose(rows -> (partial || !data ? Future.<Void>succeededFuture()
                : timed(phases, Phase.LARGE_OBJECTS, () -> pgRestore(tool, schema, schemaSections ? "data" : null, 1,
                    null)))
            .compose(v -> data ? timed(phases, Phase.SEQUENCES, () -> setSequences(sequencesFor(m, selected, partial,
                plan.toc().sequences())))
                : Future.<Void>succeededFuture())
            .compose(v -> schemaSections ? timed(phases, Phase.BUILDING_INDEXES, () -> pgRestore(tool, schema, "post-data",
                opts.jobs(), listFile)) : Future.<Void>succeededFuture())
            .compose(v -> partial || !data ? Future.<Void>succeededFuture()
                : timed(phases, Phase.REFRESHING_MATVIEWS, () -> refreshMatviews(m.matviews())))
            .compose(v -> data ? timed(phases, Phase.ANALYZE, () -> analyze(tool)) : Future.<Void>succeededFuture())
            .map(v -> {
              LOG.info(() -> "[restore " + m.id() + "] phases: " + phases.entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue() / 1000.0 + " s")
                  .collect(Collectors.joining(", ")));
              return new Result(m, target.database(), selected.size(), rows, plan.toc().notes());
            }));
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
  static List<Manifest.Table> select(Manifest m, List<String> tables) {
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

  /** --clean drops the target database, --create makes it; both from the maintenance database. */
  private Future<Void> prepareDatabase(Manifest m) {
    if (!opts.create() && !opts.clean()) {
      return Future.succeededFuture();
    }
    ConnSpec admin = target.withDatabase("postgres");
    String db = target.database();
    return PgConnect.connect(vertx, admin)
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot connect to " + admin.describe())))
        .compose(c -> c.preparedQuery("SELECT 1 FROM pg_database WHERE datname = $1").execute(Tuple.of(db))
            .compose(rs -> {
              boolean exists = rs.size() > 0;
              if (exists && !opts.clean()) {
                return Future.failedFuture(new CairnException(ErrorCode.RESTORE_TARGET_NOT_EMPTY,
                    "database " + db + " already exists", "restore into it without --create, or add --clean to drop it first"));
              }
              Future<Void> drop = exists
                  ? c.query("DROP DATABASE " + Sql.ident(db) + " WITH (FORCE)").execute().mapEmpty()
                  : Future.succeededFuture();
              return drop.compose(v -> c.query("SELECT current_setting('server_version_num')::int / 10000 AS major")
                      .execute())
                  .compose(ver -> c.query(CreateDatabase.sql(db, m, ver.iterator().next().getInteger("major")))
                      .execute()).<Void>mapEmpty();
            })
            .recover(e -> Future.failedFuture(CreateDatabase.explain(PgErrors.from(e, "cannot prepare database " + db),
                db, m)))
            .eventually(() -> c.close()));
  }

  private Future<Void> pgRestore(PgTool tool, Path schema, String section, int jobs, Path listFile) {
    return pools.io().executeBlocking(() -> {
      List<String> cmd = new ArrayList<>(List.of(tool.path().toString(), "--exit-on-error", "--no-password",
          "--jobs=" + jobs));
      if (section != null) {
        cmd.add("--section=" + section);
      }
      if (opts.noOwner()) {
        cmd.add("--no-owner");
      }
      if (opts.noAcl()) {
        cmd.add("--no-acl");
      }
      if (listFile != null) {
        cmd.add("--use-list=" + listFile);
      }
      cmd.add("--dbname=" + target.toLibpqConninfo());
      cmd.add(schema.toString());
      ChildProcess.Result r = pgRestore.run(cmd, target.childEnv());
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "pg_restore" + (section == null ? "" : " --section="
            + section) + " into "
            + target.describe() + " failed (exit code " + r.exitCode() + "): " + r.errorReport(6), hintFor(r.errors()));
      }
      return null;
    }, false);
  }

  private static final java.util.regex.Pattern MISSING_GLOBAL =
      java.util.regex.Pattern.compile("(role|tablespace) \"[^\"]*\" does not exist");
  private static final java.util.regex.Pattern SERVER_GONE = java.util.regex.Pattern.compile(
      "terminating connection|server closed the connection|the database system is (shutting down|starting up)"
          + "|connection to server .* failed");

  /** A hint only when pg_restore's errors say what to do: a missing role or tablespace, or a server restart. */
  static String hintFor(List<String> errors) {
    if (errors.stream().anyMatch(e -> MISSING_GLOBAL.matcher(e).find())) {
      return "roles or tablespaces are missing on this server: restore them first (--globals), or use"
          + " --no-owner / --no-acl";
    }
    if (errors.stream().anyMatch(e -> SERVER_GONE.matcher(e).find())) {
      return "the server shut down or restarted; run the restore again once it is up";
    }
    return null;
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

  private Future<Long> loadData(ArchiveReader reader, Map<String, String> copySettings, List<Manifest.Table> tables,
      boolean intoExisting) {
    List<Load> loads = new ArrayList<>();
    for (Manifest.Table t : tables) {
      for (int i = 0; i < t.parts().size(); i++) {
        loads.add(new Load(t, t.parts().get(i), i));
      }
    }
    loads.sort(Comparator.comparingLong((Load l) -> l.part().rawBytes()).reversed());
    tablesTotal = tables.size();
    for (Manifest.Table t : tables) {
      if (t.parts().isEmpty()) {
        tablesDone++;
      } else {
        partsLeft.put(t.qualifiedName(), t.parts().size());
      }
    }
    workTotal = loads.stream().mapToLong(l -> l.part().rawBytes()).sum();
    report();
    ArrayDeque<Load> queue = new ArrayDeque<>(loads);
    Map<String, AtomicLong> rowsByTable = new ConcurrentHashMap<>();
    CopyClient client = CopyClient.jdbc(vertx, target, pools.copy());
    List<Future<Void>> running = new ArrayList<>();
    for (int i = 0; i < Math.min(opts.jobs(), loads.size()); i++) {
      running.add(client.connect().compose(conn -> {
        workers.add(conn);
        return conn.execute(CopySession.sql(copySettings) + "; SET synchronous_commit = off"
                + (intoExisting ? "; SET session_replication_role = replica" : ""))
            .compose(v -> Loops.repeat(() -> nextLoad(conn, reader, queue, rowsByTable, intoExisting,
                CopySession.encodingOption(copySettings))))
            .eventually(conn::close);
      }).onFailure(e -> {
        // The first failure is the cause; it stops the other loads, whose errors are consequences.
        if (firstFailure == null) {
          firstFailure = e;
          cancel();
        }
      }));
    }
    return Future.join(running).transform(ar -> {
      if (firstFailure != null) {
        return Future.failedFuture(firstFailure);
      }
      List<String> wrong = new ArrayList<>();
      long total = 0;
      for (Manifest.Table t : tables) {
        long got = rowsByTable.getOrDefault(t.qualifiedName(), new AtomicLong()).get();
        total += got;
        if (got != t.rows()) {
          wrong.add(t.qualifiedName() + " (" + got + " rows restored, " + t.rows() + " in the backup)");
        }
      }
      if (!wrong.isEmpty()) {
        return Future.failedFuture(new CairnException(ErrorCode.RESTORE_MISMATCH,
            "row counts differ from the manifest: " + String.join(", ", wrong)));
      }
      return Future.succeededFuture(total);
    });
  }

  /** Loads the next part from the queue; false when the queue is empty. */
  private Future<Boolean> nextLoad(CopyConnection conn, ArchiveReader reader, ArrayDeque<Load> queue,
      Map<String, AtomicLong> rows, boolean intoExisting, String encoding) {
    if (stopping) {
      return Future.failedFuture(cancelled());
    }
    Load l = queue.poll();
    if (l == null) {
      return Future.succeededFuture(false);
    }
    String cols = l.table().columns().stream().map(Sql::ident).collect(Collectors.joining(", "));
    // A table loaded in one part is emptied in the same transaction, which lets COPY write its rows
    // frozen (no hint-bit rewrite or anti-wraparound vacuum of a fresh restore later). ONLY: an
    // inheritance parent's children are loaded by their own parts. An extension's configuration table
    // already holds the rows its CREATE EXTENSION inserted: those stay.
    boolean freeze = l.table().parts().size() == 1 && !intoExisting && l.table().extension() == null;
    List<String> options = new ArrayList<>();
    if (freeze) {
      options.add("FREEZE");
    }
    if (encoding != null) {
      options.add(encoding);
    }
    String sql = "COPY " + l.table().sqlName() + (cols.isEmpty() ? "" : " (" + cols + ")") + " FROM STDIN"
        + (options.isEmpty() ? "" : " (" + String.join(", ", options) + ")");
    String what = "table " + l.table().qualifiedName() + (l.table().parts().size() > 1
        ? " part " + (l.index() + 1) + "/" + l.table().parts().size() : "");
    Future<Void> begin = freeze
        ? conn.execute("BEGIN").compose(v -> conn.execute("TRUNCATE ONLY " + l.table().sqlName()))
        : Future.succeededFuture();
    return begin.compose(v -> conn.copyIn(sql))
        .compose(in -> sendChunks(in, reader, l, what)
            .compose(v -> in.end().compose(x -> in.rows()))
            .recover(e -> in.abort("failed").transform(x -> Future.failedFuture(e))))
        .compose(n -> freeze ? conn.execute("COMMIT").map(n) : Future.succeededFuture(n))
        .recover(e -> Future.failedFuture(PgErrors.from(e, "load of " + what)))
        .compose(n -> {
          if (n != l.part().rows()) {
            return Future.failedFuture(new CairnException(ErrorCode.RESTORE_MISMATCH,
                "load of " + what + " stored " + n + " rows, the backup holds " + l.part().rows()));
          }
          rows.computeIfAbsent(l.table().qualifiedName(), k -> new AtomicLong()).addAndGet(n);
          if (partsLeft.merge(l.table().qualifiedName(), -1, Integer::sum) == 0) {
            tablesDone++;
            report();
          }
          return Future.succeededFuture(true);
        });
  }

  /** Reads, checks and sends one chunk at a time; the COPY stream's queue overlaps reading and loading. */
  private Future<Void> sendChunks(CopyInStream in, ArchiveReader reader, Load l, String what) {
    List<ChunkRef> refs = l.part().chunks();
    RowDigest digest = new RowDigest();
    int[] i = {0};
    long[] rowsSeen = {0};
    return Loops.repeat(() -> {
      if (i[0] == refs.size()) {
        return Future.succeededFuture(false);
      }
      if (stopping) {
        // a cancel that reached this session before its COPY started did not stop it: aborting does
        return Future.failedFuture(cancelled());
      }
      int n = i[0]++;
      ChunkAad aad = ChunkAad.of(ChunkAad.dataStream(l.table().oid(), l.part().fromPage()), refs, n);
      return chunks.read(reader, refs.get(n), aad, digest, what + " chunk " + (n + 1) + "/" + refs.size())
          .compose(raw -> {
        // the digest has counted this chunk's rows by the time its read completes here
        rowsDone += digest.rows() - rowsSeen[0];
        rowsSeen[0] = digest.rows();
        bytesDone += raw.length;
        report();
        in.write(BufferInternal.buffer(Unpooled.wrappedBuffer(raw)));
        if (!in.writeQueueFull()) {
          return Future.succeededFuture(true);
        }
        Promise<Boolean> drained = Promise.promise();
        in.drainHandler(v -> drained.tryComplete(true));
        in.rows().onFailure(drained::tryFail);
        return drained.future();
      });
    }).compose(v -> digest.rows() != l.part().rows() || digest.digest() != l.part().digest()
        ? Future.failedFuture(new CairnException(ErrorCode.ARCHIVE_CORRUPT, what + ": content digest or row count"
            + " of the archive differs from the manifest"))
        : Future.<Void>succeededFuture());
  }

  private void report() {
    progress.accept(new Progress(bytesDone, rowsDone, tablesDone, tablesTotal, bytesDone, workTotal, phase));
  }

  private Future<Void> setSequences(List<Manifest.Sequence> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture();
    }
    String sql = seqs.stream().map(s -> "SELECT pg_catalog.setval(" + Sql.literal(s.sqlName()) + ", " + s.lastValue()
        + ", " + s.isCalled() + ")").collect(Collectors.joining("; "));
    return withTarget(c -> c.query(sql).execute().mapEmpty(), "cannot set sequence values");
  }

  /** One view at a time, in a loop: a chain of futures built up front would grow with the view count. */
  private Future<Void> refreshMatviews(List<Manifest.Matview> views) {
    java.util.Iterator<Manifest.Matview> it = views.stream().filter(Manifest.Matview::populated).iterator();
    return Loops.repeat(() -> {
      if (!it.hasNext()) {
        return Future.succeededFuture(false);
      }
      Manifest.Matview mv = it.next();
      // pg_restore leaves search_path empty; a view calling a function that relies on it needs its schema there.
      return withTarget(c -> c.query("SET search_path = " + Sql.ident(mv.schema()) + ", public").execute()
          .compose(x -> c.query("REFRESH MATERIALIZED VIEW " + mv.sqlName()).execute()).mapEmpty(),
          "cannot refresh materialized view " + mv.schema() + "." + mv.name()).map(true);
    });
  }

  /**
   * ANALYZE so the planner is not blind after the restore, in parallel with vacuumdb (from the same
   * client programs as pg_restore); a single-session ANALYZE when vacuumdb is not there.
   */
  private Future<Void> analyze(PgTool restoreTool) {
    Path program = restoreTool.sibling("vacuumdb").orElse(null);
    if (program == null) {
      return withTarget(c -> c.query("ANALYZE").execute().mapEmpty(), "cannot analyze " + target.database());
    }
    return pools.io().executeBlocking(() -> {
      ChildProcess.Result r = vacuumdb.run(List.of(program.toString(), "--analyze-only", "--quiet",
          "--no-password", "--jobs=" + opts.jobs(), "--dbname=" + target.toLibpqConninfo()), target.childEnv());
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "vacuumdb --analyze-only on " + target.describe()
            + " failed (exit code " + r.exitCode() + "): " + r.tail(4));
      }
      return null;
    }, false);
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

  private static CairnException cancelled() {
    return new CairnException(ErrorCode.CANCELLED, "restore cancelled");
  }

  private Future<Void> withTarget(java.util.function.Function<PgConnection, Future<Void>> work, String context) {
    if (stopping) {
      return Future.failedFuture(cancelled());
    }
    return PgConnect.connect(vertx, target)
        .compose(c -> work.apply(c).eventually(() -> c.close()))
        .recover(e -> Future.failedFuture(PgErrors.from(e, context)));
  }

}
