package dev.cairn.dump;

import dev.cairn.archive.ArchiveFormat;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.archive.RowDigest;
import dev.cairn.archive.Sql;
import dev.cairn.compress.ChunkArrays;
import dev.cairn.compress.Chunks;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.ConnectionLoss;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.CopySession;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.engine.Version;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import dev.cairn.pgcopy.CopyClient;
import dev.cairn.pgcopy.CopyConnection;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Leases;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Scratch;
import dev.cairn.storage.Verification;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Takes one backup: a leader transaction (vertx-pg-client) locks the tables and exports a snapshot;
 * pg_dump writes schema and large objects from that snapshot while {@code jobs} COPY workers stream the
 * table data from it into one archive; the archive is published only when everything succeeded.
 *
 * <p>Runs on the caller's Vert.x context; blocking work goes to the {@link Pools}. One instance per backup.
 */
public final class Dumper {
  private static final Logger LOG = Logger.getLogger("cairn.dump");
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** What to back up and how. */
  public record Options(int jobs, TableFilter filter, long splitBytes, int chunkBytes, long lockTimeoutMs,
      Path pgBin, String name, Manifest.Content content) {
    public static final long DEFAULT_SPLIT_BYTES = 64L << 20;
    public static final int DEFAULT_CHUNK_BYTES = 4 << 20;
    public static final long DEFAULT_LOCK_TIMEOUT_MS = 10_000;

    public Options {
      if (jobs < 1 || jobs > 64) {
        throw new CairnException(ErrorCode.USAGE, "jobs must be between 1 and 64, not " + jobs);
      }
      if (chunkBytes < 4096 || chunkBytes > (8 << 20)) {
        throw new CairnException(ErrorCode.USAGE, "chunk size must be between 4 KiB and 8 MiB, not " + chunkBytes);
      }
    }
  }

  /** A published backup: its id, the archive's size in bytes, its manifest. */
  public record Result(String id, long archiveBytes, Manifest manifest) {}

  /** One COPY job: a table or a page range of it. */
  record Unit(Catalog.TableInfo table, Long fromPage, Long toPage, int index, int of) {
    String copySql() {
      String cols = table.columns().stream().map(Sql::ident).collect(Collectors.joining(", "));
      String name = Sql.ident(table.schema()) + "." + Sql.ident(table.name());
      if (table.extConfig() != null) {
        // only the rows the extension's own script does not insert (its registered filter), as pg_dump
        return "COPY (SELECT " + (cols.isEmpty() ? "" : cols) + " FROM ONLY " + name + " "
            + table.extConfig().condition() + ") TO STDOUT";
      }
      if (fromPage == null) {
        return "COPY " + name + (cols.isEmpty() ? "" : " (" + cols + ")") + " TO STDOUT";
      }
      String where = "ctid >= '(" + fromPage + ",0)'::tid" + (toPage == null ? "" : " AND ctid < '(" + toPage + ",0)'::tid");
      return "COPY (SELECT " + cols + " FROM ONLY " + name + " WHERE " + where + ") TO STDOUT";
    }

    String describe() {
      return table.schema() + "." + table.name() + (of > 1 ? " part " + (index + 1) + "/" + of : "");
    }

    /** Heap and TOAST bytes this unit reads; a page range's share of the TOAST is taken as its share of pages. */
    long estimatedBytes() {
      if (fromPage == null) {
        return table.dataBytes();
      }
      long pages = Math.max(1, table.bytes() / table.blockSize());
      long rangePages = Math.max(0, (toPage == null ? pages : toPage) - fromPage);
      return rangePages * table.blockSize() + table.toastBytes() * rangePages / pages;
    }
  }

  record PartResult(Unit unit, Manifest.Part part) {}

  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec spec;
  private final Repository repo;
  private final Options opts;
  private final Clock clock;
  private final Chunks chunks;
  private final ChunkArrays spare;
  private final CopyLock copyLock;
  private final LeaderLocks locks;
  private final List<CopyConnection> workers = new CopyOnWriteArrayList<>();
  private final ChildProcess pgDump = new ChildProcess();
  private final ChildProcess pgDumpall = new ChildProcess();
  private volatile boolean stopping;
  private volatile PgConnection leader;
  private CopyClient copyClient;
  /**
   * The first COPY session, opened while the leader connects, locks and exports the snapshot: its driver's
   * start is then off the critical path. Taken by the first worker; closed at the end if none took it.
   */
  private Future<CopyConnection> early;
  private Throwable firstFailure;
  private String id = "(new)";
  /** The id's write lease: unique ids across processes, and this backup's unfinished write is not a leftover. */
  private volatile Leases.Lease reservation;
  private String logTag;
  private List<Repository> copiedTo = List.of();
  private java.util.function.Consumer<Progress> progress = p -> {};
  private final Map<Long, Integer> partsLeft = new HashMap<>();
  private int tablesTotal;
  private int tablesDone;
  private int partsTotal;
  private int partsDone;
  private long bytesDone;
  private long rowsDone;
  private long heapDone;
  private long heapTotal;
  private Phase phase;

  public Dumper(Vertx vertx, Pools pools, ConnSpec spec, Repository repo, Options opts, Clock clock) {
    this.vertx = vertx;
    this.pools = pools;
    this.spec = spec;
    this.repo = repo;
    this.opts = opts;
    this.clock = clock;
    this.chunks = new Chunks(vertx);
    // Per worker: one batch filling, one waiting for the sink, two queued or being written.
    this.spare = new ChunkArrays(opts.chunkBytes(), 4 * opts.jobs());
    this.copyLock = new CopyLock(vertx, spec, opts.lockTimeoutMs());
    this.locks = new LeaderLocks(vertx, spec, opts.lockTimeoutMs(), () -> stopping, this::cancelled, this::tag);
  }

  /**
   * Called on the context at each {@link Phase} and after each part is safely in the archive; the work is
   * heap bytes of the parts done of all parts (relation sizes from the snapshot). pg_dump runs alongside the
   * copying: the phase is "dumping schema" until the first COPY starts, and again if the copies end first.
   */
  public Dumper onProgress(java.util.function.Consumer<Progress> listener) {
    this.progress = listener;
    return this;
  }

  /** Prefix of this backup's log lines (the agent passes its job id); default: the backup id. */
  public Dumper logTag(String tag) {
    this.logTag = tag;
    return this;
  }

  /**
   * The repositories this backup will be copied to: its id must be free there too, or a copy would find a
   * different backup (an older one, under an id freed here by retention) under the same name.
   */
  public Dumper idsFreeIn(List<Repository> copyTargets) {
    this.copiedTo = List.copyOf(copyTargets);
    return this;
  }

  private String tag() {
    return "[" + (logTag == null ? id : logTag + " " + id) + "] ";
  }

  /** Cancels a running backup: COPYs are cancelled on the server, pg_dump is stopped, nothing is published. */
  public void cancel() {
    if (!stopping) {
      stopping = true;
      stopAll();
    }
  }

  private void stopAll() {
    pgDump.cancel();
    pgDumpall.cancel();
    workers.forEach(CopyConnection::cancel);
    PgConnection l = leader;
    if (l != null) {
      l.cancelRequest();
    }
  }

  /** Never throws: building the options (e.g. a missing sslrootcert) fails the future, so no job wedges. */
  public Future<Result> run() {
    try {
      Instant started = clock.instant();
      phase(Phase.CONNECTING);
      copyClient = CopyClient.jdbc(vertx, spec, pools.copy());
      early = copyClient.connect();
      return PgConnect.connect(vertx, spec)
          .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot connect to " + spec.describe())))
          .compose(l -> {
            leader = l;
            return withLeader(l, started).eventually(() -> l.close().recover(e -> Future.succeededFuture()));
          })
          .recover(e -> ConnectionLoss.explain(vertx, spec, started, e).compose(Future::failedFuture))
          .onComplete(ar -> {
            // not waited for: a backup that failed to connect fails without waiting on this one's timeout
            Future<CopyConnection> unused = takeEarly();
            if (unused != null) {
              unused.onSuccess(CopyConnection::close);
            }
          });
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Result> withLeader(PgConnection l, Instant started) {
    return l.query("SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n,"
            + " pg_encoding_to_char(encoding)::text AS enc, current_database()::text AS db,"
            + " has_table_privilege('pg_catalog.pg_authid', 'SELECT') AS authid, row_to_json(d)::text AS dbrow"
            + " FROM pg_database d WHERE datname = current_database()").execute()
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot read server version from " + spec.describe())))
        .compose(rs -> {
          Row r = rs.iterator().next();
          ServerInfo info = new ServerInfo(r.getString("v"), r.getInteger("n"), r.getString("enc"), r.getString("db"),
              r.getBoolean("authid"), locale(new JsonObject(r.getString("dbrow"))));
          // side by side: each probe runs its program (--version), and the copying waits for all three
          Future<PgTool> dump = pools.io().executeBlocking(() -> PgTool.find("pg_dump", info.num / 10000,
              opts.pgBin()), false);
          Future<PgTool> dumpall = pools.io().executeBlocking(() -> PgTool.find("pg_dumpall", info.num / 10000,
              opts.pgBin()), false);
          Future<String> newId = pools.io().executeBlocking(() -> newId(info.db, started), false);
          return Future.join(dump, dumpall, newId).transform(ar -> ar.succeeded()
              ? Future.succeededFuture(new Prepared(info, dump.result(), dumpall.result(), newId.result()))
              // reported in this order whichever ended first: pg_dump's problem is the one to fix first
              : releaseUnused(newId).compose(v -> Future.failedFuture(dump.failed() ? dump.cause()
                  : dumpall.failed() ? dumpall.cause() : newId.cause())));
        })
        .compose(p -> {
          id = p.id;
          LOG.info(() -> tag() + "backup of " + spec.describe() + " (server " + p.info.version + ", "
              + p.pgDump.path() + " " + p.pgDump.version() + ", " + opts.jobs() + " jobs)");
          return snapshotAndDump(l, p, started).eventually(() -> pools.io().executeBlocking(() -> {
            reservation.close();
            return null;
          }, false));
        });
  }

  /** The id reserved beside a probe that failed is not used: its lease goes. */
  private Future<Void> releaseUnused(Future<String> reserved) {
    return reserved.failed() || reservation == null ? Future.succeededFuture()
        : pools.io().<Void>executeBlocking(() -> {
          reservation.close();
          return null;
        }, false).recover(e -> Future.succeededFuture());
  }

  /** {@code readsAuthid}: the backup role may read pg_authid, so role passwords can be captured. */
  private record ServerInfo(String version, int num, String encoding, String db, boolean readsAuthid,
      Manifest.Locale locale) {}

  /** From the database's pg_database row, whose locale columns differ between major versions. */
  private static Manifest.Locale locale(JsonObject row) {
    return new Manifest.Locale(row.getString("datcollate"), row.getString("datctype"),
        row.getString("datlocprovider", "c"), row.getString("datlocale", row.getString("daticulocale")),
        row.getString("daticurules"));
  }

  private record Prepared(ServerInfo info, PgTool pgDump, PgTool pgDumpall, String id) {}

  private Future<Result> snapshotAndDump(PgConnection l, Prepared p, Instant started) {
    phase(Phase.LOCKING_TABLES);
    return Catalog.relations(l, opts.filter())
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot read the catalog of " + spec.describe())))
        .compose(rels -> l.query("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
            .compose(v -> l.query("SET LOCAL lock_timeout = " + opts.lockTimeoutMs()).execute())
            .compose(v -> locks.lockAll(l, rels))
            .compose(locked -> l.query("SELECT pg_export_snapshot() AS s, clock_timestamp() AS t").execute()
                .compose(rs -> locks.lockNew(l, opts.filter(), locked).map(all -> Map.entry(rs, all))))
            .compose(snap -> {
              Row r = snap.getKey().iterator().next();
              String snapshot = r.getString("s");
              Instant snapTime = r.getOffsetDateTime("t").toInstant();
              Future<List<Catalog.TableInfo>> tables = Catalog.tables(l, snap.getValue());
              Future<List<Manifest.Matview>> matviews = Catalog.matviews(l, opts.filter());
              Future<List<Manifest.Sequence>> seqs = tables.compose(ts -> Catalog.sequences(l, opts.filter(),
                  ts.stream().map(Catalog.TableInfo::oid).collect(Collectors.toSet())));
              return Future.all(tables, matviews, seqs)
                  .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot read the catalog of " + spec.describe())))
                  .compose(v -> writeArchive(p, snapshot, snapTime, started, tables.result(), seqs.result(),
                      matviews.result()));
            }))
        .compose(res -> l.query("COMMIT").execute().map(res));
  }

  private Future<Result> writeArchive(Prepared p, String snapshot, Instant snapTime, Instant started,
      List<Catalog.TableInfo> tables, List<Manifest.Sequence> seqs, List<Manifest.Matview> matviews) {
    return pools.io().executeBlocking(() -> repo.createArchive(p.id), false).compose(writer -> {
      phase(Phase.DUMPING_SCHEMA);
      Future<List<ChunkRef>> schema = dumpSchema(p, snapshot, writer).onFailure(this::failFast);
      Future<Manifest.Globals> globals = pools.io().executeBlocking(() -> GlobalsDump.run(p.pgDumpall, spec,
          p.info.readsAuthid, writer, opts.chunkBytes(), pgDumpall), false).onFailure(this::failFast);
      Future<List<PartResult>> data = copyData(snapshot, CopySession.forBackup(p.info.encoding),
          opts.content() == Manifest.Content.SCHEMA_ONLY ? List.of() : tables, writer).onSuccess(v -> {
        if (!schema.isComplete()) {
          phase(Phase.DUMPING_SCHEMA);
        }
      });
      return Future.join(schema, globals, data)
          .transform(ar -> {
            if (schema.failed() || globals.failed() || data.failed()) {
              return Future.failedFuture(stopping ? cancelled() : firstFailure != null ? firstFailure
                  : schema.failed() ? schema.cause() : globals.failed() ? globals.cause() : data.cause());
            }
            phase(Phase.FINISHING);
            Manifest m = manifest(p, snapshot, snapTime, started, tables,
                opts.content() == Manifest.Content.SCHEMA_ONLY ? List.of() : seqs, matviews, schema.result(),
                globals.result(), data.result());
            return pools.io().executeBlocking(() -> {
              writer.finish(m.toBytes());
              repo.catalog().putQuietly(BackupCatalog.Summary.of(m, p.id, writer.bytesWritten(), Verification.UNVERIFIED));
              return new Result(p.id, writer.bytesWritten(), m);
            }, false);
          })
          .onFailure(e -> pools.io().executeBlocking(() -> {
            writer.abort();
            return null;
          }, false));
    });
  }

  /**
   * The first failure of any task is the one reported; it stops the others at once (the errors they
   * then raise are consequences, not causes). Runs on the context.
   */
  private void failFast(Throwable e) {
    if (firstFailure == null) {
      firstFailure = e;
      stopAll();
    }
  }

  private CairnException cancelled() {
    return new CairnException(ErrorCode.CANCELLED, "backup " + id + " was cancelled; nothing was published");
  }

  private Future<List<ChunkRef>> dumpSchema(Prepared p, String snapshot, ArchiveWriter writer) {
    return pools.io().executeBlocking(() -> {
      Scratch scratch = Scratch.create("cairn-backup-");
      Path tmp = scratch.file("schema.dump");
      try {
        List<String> cmd = new ArrayList<>(List.of(p.pgDump.path().toString(), "--format=custom", "--compress=0",
            "--no-password", "--snapshot=" + snapshot, "--lock-wait-timeout=" + opts.lockTimeoutMs(), "--file=" + tmp));
        // Table data always comes from the COPY streams; a data-only dump keeps the large objects.
        switch (opts.content()) {
          case ALL -> cmd.add("--exclude-table-data=*.*");
          case SCHEMA_ONLY -> cmd.add("--schema-only");
          case DATA_ONLY -> cmd.addAll(List.of("--data-only", "--exclude-table-data=*.*"));
        }
        opts.filter().includes().forEach(t -> cmd.add("--table=" + TableFilter.toPgDumpPattern(t)));
        opts.filter().excludes().forEach(t -> cmd.add("--exclude-table=" + TableFilter.toPgDumpPattern(t)));
        cmd.add("--dbname=" + spec.toLibpqConninfo());
        ChildProcess.Result r = pgDump.run(cmd, spec.childEnv());
        if (pgDump.cancelled()) {
          throw pgDumpStopped();
        }
        if (r.exitCode() != 0) {
          throw new CairnException(ErrorCode.PG_DUMP_FAILED, "pg_dump " + p.pgDump.version() + " failed for "
              + spec.describe() + " (exit code " + r.exitCode() + "): " + r.errorReport(6));
        }
        try (InputStream in = scratch.read("schema.dump")) {
          return GlobalsDump.store(in, writer, opts.chunkBytes(), ChunkAad.SCHEMA);
        }
      } catch (java.io.IOException e) {
        if (pgDump.cancelled()) {
          throw pgDumpStopped();
        }
        throw new CairnException(ErrorCode.REPO_WRITE, "cannot store the pg_dump output of " + spec.describe() + ": "
            + LocalStorage.describe(e), "check free space in " + System.getProperty("java.io.tmpdir"), null, e);
      } finally {
        scratch.close();
      }
    }, false);
  }

  private static CairnException pgDumpStopped() {
    return new CairnException(ErrorCode.CANCELLED, "pg_dump was stopped");
  }

  private Future<List<PartResult>> copyData(String snapshot, Map<String, String> copySettings,
      List<Catalog.TableInfo> tables,
      ArchiveWriter writer) {
    List<Unit> units = plan(tables, splitFor(tables, opts.splitBytes(), opts.jobs()));
    tablesTotal = tables.size();
    units.forEach(u -> partsLeft.merge(u.table().oid(), 1, Integer::sum));
    partsTotal = units.size();
    heapTotal = units.stream().mapToLong(Unit::estimatedBytes).sum();
    ArrayDeque<Unit> queue = new ArrayDeque<>(units);
    List<PartResult> results = new ArrayList<>();
    int n = Math.min(opts.jobs(), units.size());
    List<Future<Void>> running = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      running.add(worker(snapshot, copySettings, queue, results, writer).onFailure(this::failFast));
    }
    return Future.join(running).transform(ar -> {
      for (Future<Void> f : running) {
        if (f.failed()) {
          return Future.failedFuture(f.cause());
        }
      }
      return Future.succeededFuture(results);
    });
  }

  /** Parts are never made smaller than this to keep more workers busy: each part costs a scan's start. */
  static final long MIN_BALANCE_SPLIT = 32L << 20;

  /**
   * The part size for {@code jobs} workers: {@code splitBytes}, or smaller (down to {@link
   * #MIN_BALANCE_SPLIT}, never below a configured {@code splitBytes}) so the database makes at least four
   * parts per worker; a database of one dominant table then keeps every worker busy to the end.
   */
  static long splitFor(List<Catalog.TableInfo> tables, long splitBytes, int jobs) {
    long total = tables.stream().mapToLong(Catalog.TableInfo::dataBytes).sum();
    long balanced = total / (4L * Math.max(1, jobs));
    return Math.min(splitBytes, Math.max(MIN_BALANCE_SPLIT, balanced));
  }

  /**
   * Biggest first, so the long parts start early and the workers finish together. A table is split by
   * its heap and TOAST size: the TOAST of a page range is read with its rows, so a table of long
   * documents with a small heap is split too.
   */
  static List<Unit> plan(List<Catalog.TableInfo> tables, long splitBytes) {
    List<Unit> units = new ArrayList<>();
    for (Catalog.TableInfo t : tables) {
      long pages = t.bytes() / t.blockSize();
      if (t.dataBytes() > splitBytes && pages > 1 && !t.columns().isEmpty() && t.extConfig() == null) {
        int parts = (int) Math.min(pages, (t.dataBytes() + splitBytes - 1) / splitBytes);
        for (int i = 0; i < parts; i++) {
          long from = pages * i / parts;
          Long to = i == parts - 1 ? null : pages * (i + 1) / parts; // the last range is open: no row escapes
          units.add(new Unit(t, from, to, i, parts));
        }
      } else {
        units.add(new Unit(t, null, null, 0, 1));
      }
    }
    units.sort(Comparator.comparingLong(Unit::estimatedBytes).reversed());
    return units;
  }

  private Future<CopyConnection> takeEarly() {
    Future<CopyConnection> e = early;
    early = null;
    return e;
  }

  private Future<Void> worker(String snapshot, Map<String, String> copySettings, ArrayDeque<Unit> queue,
      List<PartResult> results, ArchiveWriter writer) {
    Future<CopyConnection> opened = takeEarly();
    return (opened != null ? opened : copyClient.connect()).compose(conn -> {
      workers.add(conn);
      if (stopping || firstFailure != null) {
        conn.cancel();
      }
      return conn.execute(CopySession.sql(copySettings))
          .compose(v -> conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
          .compose(v -> conn.execute("SET TRANSACTION SNAPSHOT '" + snapshot + "'"))
          .compose(v -> Loops.repeat(() -> nextUnit(conn, copySettings, queue, results, writer)))
          .compose(v -> conn.execute("COMMIT"))
          .eventually(conn::close);
    });
  }

  /** Copies the next unit from the queue; false when the queue is empty. */
  private Future<Boolean> nextUnit(CopyConnection conn, Map<String, String> copySettings, ArrayDeque<Unit> queue,
      List<PartResult> results,
      ArchiveWriter writer) {
    if (stopping || firstFailure != null) {
      return Future.failedFuture(cancelled());
    }
    Unit u = queue.poll();
    if (u == null) {
      return Future.succeededFuture(false);
    }
    if (phase != Phase.COPYING) {
      phase(Phase.COPYING);
    }
    ChunkSink sink = new ChunkSink(writer, ArchiveFormat.KIND_DATA, chunks, spare,
        ChunkAad.dataStream(u.table().oid(), u.fromPage()));
    // each row hashed as it arrives, one COPY message per row: no newline search over the chunks
    RowDigest digest = new RowDigest();
    long t0 = System.nanoTime();
    String encoding = CopySession.encodingOption(copySettings);
    return copyLock.lock(conn, u.table())
        .compose(v -> conn.copyOut(u.copySql() + (encoding == null ? "" : " (" + encoding + ")"), spare,
            row -> digest.row(row, 0, row.length)))
        .compose(out -> out.pipe().endOnFailure(false).to(sink).compose(v -> out.rows()))
        .recover(e -> {
          conn.cancel();
          return Future.failedFuture(stopping ? cancelled() : outOfMemory(e)
              ? new CairnException(ErrorCode.COPY_FAILED, "copy of " + u.describe() + ": a row does not fit in the"
                  + " java heap (" + (Runtime.getRuntime().maxMemory() >> 20) + " MiB)", "raise the heap, e.g."
                  + " CAIRN_JAVA_OPTS=-Xmx1g: a row needs about twice its COPY text in memory (a bytea value four"
                  + " times its size), plus " + (4 * opts.jobs() * (opts.chunkBytes() >> 20)) + " MiB of chunks",
                  null, e)
              : PgErrors.from(e, "copy of " + u.describe()));
        })
        .compose(serverRows -> {
          if (!digest.complete() || digest.rows() != serverRows) {
            return Future.failedFuture(new CairnException(ErrorCode.COPY_FAILED, "copy of " + u.describe()
                + " returned " + serverRows + " rows but " + digest.rows() + " complete lines"));
          }
          results.add(new PartResult(u, new Manifest.Part(u.fromPage(), u.toPage(), serverRows,
              digest.digest(), sink.rawBytes(), sink.refs())));
          bytesDone += sink.rawBytes();
          rowsDone += serverRows;
          heapDone += u.estimatedBytes();
          partsDone++;
          if (partsLeft.merge(u.table().oid(), -1, Integer::sum) == 0) {
            tablesDone++;
          }
          report();
          LOG.fine(() -> tag() + u.describe() + ": " + serverRows + " rows, " + sink.rawBytes() + " bytes in "
              + (System.nanoTime() - t0) / 1_000_000 + " ms");
          return Future.succeededFuture(true);
        });
  }

  private static boolean outOfMemory(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  private void phase(Phase p) {
    phase = p;
    report();
  }

  private void report() {
    progress.accept(new Progress(bytesDone, rowsDone, tablesDone, tablesTotal, heapDone, heapTotal, phase, partsDone,
        partsTotal));
  }

  private Manifest manifest(Prepared p, String snapshot, Instant snapTime, Instant started,
      List<Catalog.TableInfo> tables, List<Manifest.Sequence> seqs, List<Manifest.Matview> matviews,
      List<ChunkRef> schema, Manifest.Globals globals, List<PartResult> parts) {
    Map<Long, List<PartResult>> byTable = new HashMap<>();
    parts.forEach(pr -> byTable.computeIfAbsent(pr.unit().table().oid(), k -> new ArrayList<>()).add(pr));
    List<Manifest.Table> out = new ArrayList<>();
    for (Catalog.TableInfo t : tables) {
      List<PartResult> prs = new ArrayList<>(byTable.getOrDefault(t.oid(), List.of())); // none: schema-only
      prs.sort(Comparator.comparingInt(pr -> pr.unit().index()));
      long rows = 0;
      long digest = 0;
      List<Manifest.Part> ps = new ArrayList<>();
      for (PartResult pr : prs) {
        rows += pr.part().rows();
        digest += pr.part().digest();
        ps.add(pr.part());
      }
      out.add(new Manifest.Table(t.oid(), t.schema(), t.name(), t.unlogged(), t.columns(), t.bytes(), rows, digest,
          ps, t.indexes(), t.foreignKeys(), t.extConfig() == null ? null : t.extConfig().extension()));
    }
    JsonObject options = new JsonObject().put("jobs", opts.jobs())
        .put("tables", new JsonArray(new ArrayList<>(opts.filter().includes())))
        .put("excludeTables", new JsonArray(new ArrayList<>(opts.filter().excludes())))
        .put("splitBytes", opts.splitBytes()).put("chunkBytes", opts.chunkBytes())
        .put("lockTimeoutMs", opts.lockTimeoutMs()).put("content", opts.content().label());
    return new Manifest(Manifest.FORMAT_VERSION, p.id, p.info.db, Version.get(), p.info.version, p.info.num,
        p.pgDump.version(), p.info.encoding, snapshot, snapTime, started, clock.instant(), options, schema, out, seqs,
        matviews, globals, opts.content(), CopySession.forBackup(p.info.encoding), p.info.locale);
  }

  /**
   * {@code <name>-<UTC time>}, with a -N suffix when the id is taken: published, or reserved by another
   * backup (its write lease), in this process or another. Holds the chosen id's write lease.
   */
  private String newId(String db, Instant started) {
    String base = (opts.name() != null ? opts.name() : db).replaceAll("[^A-Za-z0-9_-]", "_");
    if (base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0))) {
      base = "db" + base;
    }
    if (base.length() > 63) {
      base = base.substring(0, 63);
    }
    String stem = base + "-" + ID_TIME.format(started);
    Set<String> taken = new HashSet<>(repo.ids());
    for (Repository other : copiedTo) {
      try {
        taken.addAll(other.ids());
      } catch (CairnException e) {
        // unreachable now: the copy there refuses a different backup under a taken id (BACKUP_ID_CONFLICT)
        LOG.warning(() -> tag() + "cannot list " + other.location() + " to choose a backup id free there too: "
            + e.getMessage());
      }
    }
    String candidate = stem;
    for (int i = 1; i < 1000; i++) {
      if (!taken.contains(candidate)) {
        Optional<Leases.Lease> lease = repo.reserve(candidate);
        if (lease.isPresent()) {
          reservation = lease.get();
          return candidate;
        }
      }
      candidate = stem + "-" + i;
    }
    throw new CairnException(ErrorCode.REPO_WRITE, "no free backup id for " + stem + " in " + repo.location()
        + ": 1000 backups in one second");
  }
}
