package dev.cairn.dump;

import dev.cairn.archive.Sql;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Loops;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgcopy.CopyConnection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's own ACCESS SHARE lock on a table, taken with NOWAIT before its COPY, as pg_dump's workers
 * do. The leader already holds that lock; a session whose ACCESS EXCLUSIVE request (a TRUNCATE, an
 * ALTER) queued behind it is waiting for the backup to end, and a COPY that queued behind that request
 * would wait for it in turn: a stall nobody detects. So a worker never waits in the lock queue: it
 * retries for up to {@code lock_timeout}, then fails naming the session in the way.
 */
final class CopyLock {
  static final long RETRY_MS = 100;

  private final Vertx vertx;
  private final ConnSpec spec;
  private final long lockTimeoutMs;

  CopyLock(Vertx vertx, ConnSpec spec, long lockTimeoutMs) {
    this.vertx = vertx;
    this.spec = spec;
    this.lockTimeoutMs = lockTimeoutMs;
  }

  /** Locks {@code table} on the worker's session (inside its snapshot transaction). Never throws. */
  Future<Void> lock(CopyConnection conn, Catalog.TableInfo table) {
    String name = table.schema() + "." + table.name();
    // A savepoint keeps the transaction, and so the snapshot, usable after a refused lock.
    String sql = "SAVEPOINT cairn_lock; LOCK TABLE ONLY " + Sql.ident(table.schema()) + "." + Sql.ident(table.name())
        + " IN ACCESS SHARE MODE NOWAIT; RELEASE SAVEPOINT cairn_lock";
    long deadline = System.nanoTime() + lockTimeoutMs * 1_000_000;
    return Loops.repeat(() -> conn.execute(sql).map(false).recover(e -> {
      CairnException ce = PgErrors.from(e, "cannot lock " + name + " for its copy");
      if (!"55P03".equals(ce.sqlState())) {
        return Future.failedFuture(ce);
      }
      Future<Void> back = conn.execute("ROLLBACK TO SAVEPOINT cairn_lock; RELEASE SAVEPOINT cairn_lock");
      if (System.nanoTime() < deadline) {
        return back.compose(v -> vertx.timer(RETRY_MS)).map(true);
      }
      return back.compose(v -> blockers(table.oid())).compose(who -> Future.failedFuture(new CairnException(
          ErrorCode.LOCK_TIMEOUT, "copy of " + name + " cannot start after " + lockTimeoutMs + " ms: "
              + (who.isEmpty() ? "another session wants an ACCESS EXCLUSIVE lock on it" : who)
              + "; a COPY would queue behind it while it waits for this backup, so the backup gives way",
          "the session waits until the backup ends: run the backup when no DDL runs on " + name
              + ", or give the application's DDL a lock_timeout", ce.sqlState(), e)));
    }));
  }

  /** "pid 4121 waits for AccessExclusiveLock (TRUNCATE t2)", from a second session; empty when none. */
  private Future<String> blockers(long oid) {
    return PgConnect.connect(vertx, spec).compose(c -> c
            .preparedQuery("SELECT k.pid, k.mode, k.granted, left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120)"
                + " AS query FROM pg_locks k JOIN pg_stat_activity a ON a.pid = k.pid"
                + " WHERE k.locktype = 'relation' AND k.relation = $1::int8::oid AND k.mode = 'AccessExclusiveLock'"
                + " ORDER BY k.granted DESC, k.pid LIMIT 3")
            .execute(Tuple.of(oid))
            .map(rs -> {
              List<String> who = new ArrayList<>();
              for (Row r : rs) {
                who.add("pid " + r.getInteger("pid") + (r.getBoolean("granted") ? " holds " : " waits for ")
                    + r.getString("mode") + " (" + r.getString("query") + ")");
              }
              return String.join(", ", who);
            })
            .eventually(() -> c.close()))
        .otherwise("");
  }
}
