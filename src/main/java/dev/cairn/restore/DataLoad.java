package dev.cairn.restore;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.archive.RowDigest;
import dev.cairn.archive.Sql;
import dev.cairn.compress.ChunkArrays;
import dev.cairn.compress.Chunks;
import dev.cairn.conn.ConnSpec;
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
import io.netty.buffer.Unpooled;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The data step of a restore: {@code jobs} COPY FROM sessions taking parts from one queue, every chunk
 * checked as it is read, every part's and table's row count checked against the manifest. Keeps the
 * progress counters. Used on the restore's context; {@code workers} (for cancelling) from any thread.
 */
final class DataLoad {
  private record Load(Manifest.Table table, Manifest.Part part, int index) {}

  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec target;
  private final int jobs;
  private final Chunks chunks;
  private final List<CopyConnection> workers;
  private final BooleanSupplier stopping;
  private final Consumer<Throwable> onFailure;
  private final Runnable report;
  private final Map<String, Integer> partsLeft = new HashMap<>();
  private PostDataBuild build;
  private long bytesDone;
  private long rowsDone;
  private int tablesDone;
  private int tablesTotal;
  private long workTotal;
  private ChunkArrays arrays;

  /** {@code onFailure}: told of a session's failure at once (the restore stops the others). */
  DataLoad(Vertx vertx, Pools pools, ConnSpec target, int jobs, Chunks chunks, List<CopyConnection> workers,
      BooleanSupplier stopping, Consumer<Throwable> onFailure, Runnable report) {
    this.vertx = vertx;
    this.pools = pools;
    this.target = target;
    this.jobs = jobs;
    this.chunks = chunks;
    this.workers = workers;
    this.stopping = stopping;
    this.onFailure = onFailure;
    this.report = report;
  }

  Progress progress(Phase phase) {
    return new Progress(bytesDone, rowsDone, tablesDone, tablesTotal, bytesDone, workTotal, phase);
  }

  /**
   * Every part of {@code tables}; the rows restored, or a failure (row counts that differ from the manifest
   * included). {@code build}: null, or told of each table once all its parts are loaded.
   */
  Future<Long> run(ArchiveReader reader, Map<String, String> copySettings, List<Manifest.Table> tables,
      boolean intoExisting, PostDataBuild build) {
    this.build = build;
    List<Load> loads = new ArrayList<>();
    for (Manifest.Table t : tables) {
      for (int i = 0; i < t.parts().size(); i++) {
        loads.add(new Load(t, t.parts().get(i), i));
      }
    }
    // The biggest table's parts first, so its indexes are built while the smaller tables load; then
    // biggest part first, so the workers finish together.
    Map<String, Long> tableBytes = new HashMap<>();
    loads.forEach(l -> tableBytes.merge(l.table().qualifiedName(), l.part().rawBytes(), Long::sum));
    loads.sort(Comparator.comparingLong((Load l) -> tableBytes.get(l.table().qualifiedName())).reversed()
        .thenComparing(Comparator.comparingLong((Load l) -> l.part().rawBytes()).reversed()));
    tablesTotal = tables.size();
    for (Manifest.Table t : tables) {
      if (t.parts().isEmpty()) {
        tablesDone++;
        if (build != null) {
          build.loaded(t.qualifiedName());
        }
      } else {
        partsLeft.put(t.qualifiedName(), t.parts().size());
      }
    }
    workTotal = loads.stream().mapToLong(l -> l.part().rawBytes()).sum();
    int longest = loads.stream().flatMap(l -> l.part().chunks().stream()).mapToInt(ChunkRef::rawLength).max().orElse(0);
    // a session holds at most two chunks queued, one being written and one being read (see sendChunks)
    arrays = new ChunkArrays(longest, 4 * jobs);
    report.run();
    ArrayDeque<Load> queue = new ArrayDeque<>(loads);
    Map<String, AtomicLong> rowsByTable = new ConcurrentHashMap<>();
    CopyClient client = CopyClient.jdbc(vertx, target, pools.copy());
    List<Future<Void>> running = new ArrayList<>();
    for (int i = 0; i < Math.min(jobs, loads.size()); i++) {
      running.add(client.connect().compose(conn -> {
        workers.add(conn);
        return conn.execute(CopySession.sql(copySettings) + "; SET synchronous_commit = off"
                + (intoExisting ? "; SET session_replication_role = replica" : ""))
            .compose(v -> Loops.repeat(() -> nextLoad(conn, reader, queue, rowsByTable, intoExisting,
                CopySession.encodingOption(copySettings))))
            .eventually(conn::close);
      }).onFailure(onFailure::accept));
    }
    return Future.join(running).transform(ar -> {
      if (ar.failed()) {
        return Future.failedFuture(ar.cause());
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
    if (stopping.getAsBoolean()) {
      return Future.failedFuture(Restorer.cancelled());
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
        .compose(in -> sendChunks(in.setWriteQueueMaxSize(Math.max(1 << 20, 2 * arrays.length())), reader, l, what)
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
            report.run();
            if (build != null) {
              build.loaded(l.table().qualifiedName());
            }
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
      if (stopping.getAsBoolean()) {
        // a cancel that reached this session before its COPY started did not stop it: aborting does
        return Future.failedFuture(Restorer.cancelled());
      }
      int n = i[0]++;
      ChunkAad aad = ChunkAad.of(ChunkAad.dataStream(l.table().oid(), l.part().fromPage()), refs, n);
      int length = refs.get(n).rawLength();
      return chunks.read(reader, refs.get(n), aad, digest, what + " chunk " + (n + 1) + "/" + refs.size(),
          arrays.take()).compose(raw -> {
        // the digest has counted this chunk's rows by the time its read completes here
        rowsDone += digest.rows() - rowsSeen[0];
        rowsSeen[0] = digest.rows();
        bytesDone += length;
        report.run();
        in.write(BufferInternal.buffer(Unpooled.wrappedBuffer(raw, 0, length))).onSuccess(v -> arrays.give(raw));
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
}
