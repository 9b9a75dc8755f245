package dev.cairn.restoretest;

import dev.cairn.archive.Manifest;
import dev.cairn.archive.RowDigest;
import dev.cairn.archive.Sql;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.CopySession;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.pgcopy.CopyClient;
import dev.cairn.pgcopy.CopyConnection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * Recomputes every chosen table's row count and content digest from the restored database, exactly as
 * the backup computed them: the same COPY statement shape (explicit column list; an extension
 * configuration table through its registered filter), the same session settings (the manifest's
 * {@code copySettings}), {@link RowDigest} over the COPY text; and reads every sequence back. Each
 * difference is one problem naming the table or sequence. Runs on the caller's context; COPYs on the
 * {@code cairn-copy} pool, {@code jobs} at a time.
 */
final class ContentCheck {
  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec scratch;
  private final int jobs;
  private final List<CopyConnection> open = new CopyOnWriteArrayList<>();
  private volatile boolean stopping;

  ContentCheck(Vertx vertx, Pools pools, ConnSpec scratch, int jobs) {
    this.vertx = vertx;
    this.pools = pools;
    this.scratch = scratch;
    this.jobs = Math.max(1, jobs);
  }

  void cancel() {
    stopping = true;
    open.forEach(CopyConnection::cancel);
  }

  /** Problems ("table public.t: 10 rows restored, 11 in the backup"), in the manifest's table order. */
  Future<List<String>> tables(Manifest m, List<Manifest.Table> tables) {
    Map<String, String> settings = m.copySettings() == null ? CopySession.LEGACY : m.copySettings();
    String encoding = CopySession.encodingOption(settings);
    return extensionFilters().compose(filters -> {
      ArrayDeque<Manifest.Table> queue = new ArrayDeque<>(tables);
      Map<String, String> problems = new java.util.concurrent.ConcurrentHashMap<>();
      CopyClient client = CopyClient.jdbc(vertx, scratch, pools.copy());
      List<Future<Void>> workers = new ArrayList<>();
      for (int i = 0; i < Math.min(jobs, tables.size()); i++) {
        workers.add(client.connect().compose(conn -> {
          open.add(conn);
          return conn.execute(CopySession.sql(settings))
              .compose(v -> Loops.repeat(() -> next(conn, queue, filters, encoding, problems)))
              .eventually(conn::close);
        }));
      }
      return Future.all(workers).map(v -> tables.stream().map(Manifest.Table::qualifiedName)
          .filter(problems::containsKey).map(problems::get).collect(Collectors.toList()));
    });
  }

  private Future<Boolean> next(CopyConnection conn, ArrayDeque<Manifest.Table> queue, Map<String, String> filters,
      String encoding, Map<String, String> problems) {
    Manifest.Table t;
    synchronized (queue) {
      t = queue.poll();
    }
    if (t == null || stopping) {
      return Future.succeededFuture(false);
    }
    java.util.concurrent.atomic.AtomicLong sum = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicLong lines = new java.util.concurrent.atomic.AtomicLong();
    String sql = copySql(t, filters.get(t.qualifiedName())) + (encoding == null ? "" : " (" + encoding + ")");
    return conn.copyOut(sql).compose(out -> {
      // Hashing is CPU work: each batch (whole rows) on the io pool, one after another, the stream paused meanwhile;
      // digests of disjoint rows add up, so the batches' sums make the table's.
      @SuppressWarnings("unchecked")
      Future<Void>[] hashed = new Future[] {Future.succeededFuture()};
      out.handler(b -> {
        out.pause();
        // chained: a batch delivered while paused is hashed after the one before, never beside it
        hashed[0] = hashed[0].compose(v -> pools.io().<Void>executeBlocking(() -> {
          byte[] bytes = b.getBytes();
          RowDigest d = new RowDigest();
          d.update(bytes, 0, bytes.length);
          sum.addAndGet(d.digest());
          lines.addAndGet(d.rows());
          return null;
        }, false)).onComplete(x -> out.resume());
      });
      // rows() completes when the server is done, maybe before the last batches are delivered: wait for the end
      Promise<Void> ended = Promise.promise();
      out.exceptionHandler(ended::tryFail);
      out.endHandler(v -> ended.tryComplete());
      out.rows().onFailure(ended::tryFail);
      return ended.future().compose(v -> hashed[0]).compose(v -> out.rows());
    }).recover(e -> Future.failedFuture(PgErrors.from(e, "copy of restored table " + t.qualifiedName())))
        .map(rows -> {
          long digest = sum.get();
          if (lines.get() != rows) {
            problems.put(t.qualifiedName(), "table " + t.qualifiedName() + ": COPY of the restored table returned " + rows
                + " rows but " + lines.get() + " complete lines");
          } else if (rows != t.rows()) {
            problems.put(t.qualifiedName(), "table " + t.qualifiedName() + ": " + rows + " rows restored, " + t.rows()
                + " in the backup");
          } else if (digest != t.digest()) {
            problems.put(t.qualifiedName(), "table " + t.qualifiedName() + ": content differs from the backup (digest "
                + Long.toHexString(digest) + ", backup " + Long.toHexString(t.digest()) + ", " + rows + " rows)");
          }
          return true;
        });
  }

  /** The backup's COPY shape ({@code Dumper.Unit.copySql} of a whole table). */
  static String copySql(Manifest.Table t, String extensionFilter) {
    String cols = t.columns().stream().map(Sql::ident).collect(Collectors.joining(", "));
    if (t.extension() != null) {
      return "COPY (SELECT " + cols + " FROM ONLY " + t.sqlName() + " " + (extensionFilter == null ? ""
          : extensionFilter) + ") TO STDOUT";
    }
    return "COPY " + t.sqlName() + (cols.isEmpty() ? "" : " (" + cols + ")") + " TO STDOUT";
  }

  /** The registered filter of each extension configuration table of the restored database, by schema.name. */
  private Future<Map<String, String>> extensionFilters() {
    return Db.query(vertx, scratch, "SELECT n.nspname::text AS s, c.relname::text AS t,"
        + " coalesce(e.extcondition[array_position(e.extconfig, c.oid)], '') AS cond"
        + " FROM pg_extension e JOIN pg_class c ON c.oid = ANY (e.extconfig)"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace", "cannot read the extension configuration tables")
        .map(rows -> {
          Map<String, String> out = new HashMap<>();
          for (Row r : rows) {
            out.put(r.getString("s") + "." + r.getString("t"), r.getString("cond"));
          }
          return out;
        });
  }

  /** Problems of the sequences: each must hold the backup's last_value and is_called. */
  Future<List<String>> sequences(List<Manifest.Sequence> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    String sql = seqs.stream().map(s -> "SELECT " + Sql.literal(s.schema() + "." + s.name()) + " AS name, last_value,"
        + " is_called FROM " + s.sqlName()).collect(Collectors.joining(" UNION ALL "));
    return Db.query(vertx, scratch, sql, "cannot read the restored sequences").map(rows -> {
      Map<String, Row> byName = new HashMap<>();
      rows.forEach(r -> byName.put(r.getString("name"), r));
      List<String> out = new ArrayList<>();
      for (Manifest.Sequence s : seqs) {
        Row r = byName.get(s.schema() + "." + s.name());
        if (r.getLong("last_value") != s.lastValue() || r.getBoolean("is_called") != s.isCalled()) {
          out.add("sequence " + s.schema() + "." + s.name() + ": last_value " + r.getLong("last_value") + " (is_called "
              + r.getBoolean("is_called") + "), the backup has " + s.lastValue() + " (is_called " + s.isCalled() + ")");
        }
      }
      return out;
    });
  }
}
