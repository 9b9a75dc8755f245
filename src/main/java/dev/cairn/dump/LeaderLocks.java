package dev.cairn.dump;

import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Loops;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The leader's ACCESS SHARE locks: in batches, in a loop (a chain of futures, one per table, never ended
 * for thousands of tables), under {@code lock_timeout}. Tables that DDL drops or creates meanwhile are
 * the snapshot's business: one dropped before its lock is left out (the batch is retried once without
 * it), one created before the snapshot is locked and backed up too.
 */
final class LeaderLocks {
  private static final Logger LOG = Logger.getLogger("cairn.dump");
  /** Tables per LOCK statement; a timeout still names the table, through who holds it. */
  static final int BATCH = 500;

  private final Vertx vertx;
  private final ConnSpec spec;
  private final long lockTimeoutMs;
  private final BooleanSupplier stopping;
  private final Supplier<CairnException> cancelled;
  private final Supplier<String> tag;

  LeaderLocks(Vertx vertx, ConnSpec spec, long lockTimeoutMs, BooleanSupplier stopping,
      Supplier<CairnException> cancelled, Supplier<String> tag) {
    this.vertx = vertx;
    this.spec = spec;
    this.lockTimeoutMs = lockTimeoutMs;
    this.stopping = stopping;
    this.cancelled = cancelled;
    this.tag = tag;
  }

  /** Locks {@code rels}; yields those locked (without any dropped meanwhile). Never throws. */
  Future<List<Catalog.Rel>> lockAll(PgConnection l, List<Catalog.Rel> rels) {
    List<Catalog.Rel> locked = new ArrayList<>();
    int[] from = {0};
    return Loops.repeat(() -> {
      if (stopping.getAsBoolean()) {
        return Future.failedFuture(cancelled.get());
      }
      if (from[0] >= rels.size()) {
        return Future.succeededFuture(false);
      }
      List<Catalog.Rel> batch = rels.subList(from[0], Math.min(rels.size(), from[0] + BATCH));
      from[0] += batch.size();
      return lockBatch(l, batch, false).map(got -> {
        locked.addAll(got);
        return true;
      });
    }).map(v -> locked);
  }

  /**
   * Inside the snapshot: relations created after the first listing but before the snapshot are visible
   * to pg_dump, so their rows belong in the backup too; locks them and yields all relations.
   */
  Future<List<Catalog.Rel>> lockNew(PgConnection l, TableFilter filter, List<Catalog.Rel> locked) {
    Set<Long> known = locked.stream().map(Catalog.Rel::oid).collect(Collectors.toSet());
    return Catalog.relations(l, filter).compose(now -> {
      List<Catalog.Rel> fresh = now.stream().filter(r -> !known.contains(r.oid())).toList();
      if (fresh.isEmpty()) {
        return Future.succeededFuture(locked);
      }
      LOG.info(() -> tag.get() + fresh.size() + " table(s) created while the backup started, backed up too: "
          + fresh.stream().limit(5).map(Catalog.Rel::qualifiedName).collect(Collectors.joining(", ")));
      return lockAll(l, fresh).map(more -> {
        List<Catalog.Rel> all = new ArrayList<>(locked);
        all.addAll(more);
        return all;
      });
    });
  }

  private Future<List<Catalog.Rel>> lockBatch(PgConnection l, List<Catalog.Rel> batch, boolean retried) {
    String names = batch.stream().map(r -> "ONLY " + r.sqlName()).collect(Collectors.joining(", "));
    // The savepoint keeps the transaction usable after a LOCK on a table dropped meanwhile.
    return l.query("SAVEPOINT cairn_lock; LOCK TABLE " + names + " IN ACCESS SHARE MODE;"
            + " RELEASE SAVEPOINT cairn_lock").execute()
        .map(batch)
        .recover(e -> {
          CairnException ce = PgErrors.from(e, "cannot lock " + describe(batch));
          if (retried || !"42P01".equals(ce.sqlState())) {
            return failed(l, batch, ce);
          }
          return l.query("ROLLBACK TO SAVEPOINT cairn_lock; RELEASE SAVEPOINT cairn_lock").execute()
              .compose(v -> existing(batch))
              .compose(left -> {
                List<String> gone = batch.stream().filter(r -> !left.contains(r)).map(Catalog.Rel::qualifiedName)
                    .toList();
                LOG.info(() -> tag.get() + "dropped while the backup started, left out: " + String.join(", ", gone));
                return left.isEmpty() ? Future.succeededFuture(left) : lockBatch(l, left, true);
              });
        });
  }

  /** The relations of {@code batch} that still exist, asked on a second session: the leader's first query would fix its snapshot. */
  private Future<List<Catalog.Rel>> existing(List<Catalog.Rel> batch) {
    Long[] oids = batch.stream().map(Catalog.Rel::oid).toArray(Long[]::new);
    return PgConnect.connect(vertx, spec).compose(c -> c
        .preparedQuery("SELECT oid::int8 AS oid FROM pg_class WHERE oid = ANY($1::int8[]::oid[])")
        .execute(Tuple.of((Object) oids))
        .map(rs -> {
          Set<Long> present = new HashSet<>();
          rs.forEach(r -> present.add(r.getLong("oid")));
          return batch.stream().filter(r -> present.contains(r.oid())).toList();
        })
        .eventually(() -> c.close()));
  }

  private static String describe(List<Catalog.Rel> batch) {
    return batch.size() == 1 ? batch.get(0).qualifiedName()
        : "one of " + batch.size() + " tables from " + batch.get(0).qualifiedName() + " to "
            + batch.get(batch.size() - 1).qualifiedName();
  }

  private <T> Future<T> failed(PgConnection l, List<Catalog.Rel> batch, CairnException ce) {
    String what = describe(batch);
    if (ce.code() == ErrorCode.LOCK_TIMEOUT) {
      return holders(batch, l.processId()).compose(held -> Future.failedFuture(new CairnException(
          ErrorCode.LOCK_TIMEOUT, "lock timeout on " + (held.isEmpty() ? what : held) + " after "
              + lockTimeoutMs + " ms", "another session holds a conflicting lock; run the backup again later"
              + " or raise --lock-timeout", ce.sqlState(), ce)));
    }
    if ("42P01".equals(ce.sqlState())) {
      return Future.failedFuture(new CairnException(ErrorCode.DB_QUERY, "tables were dropped while the backup"
          + " started, twice: " + ce.getMessage(), "run the backup again", ce.sqlState(), ce));
    }
    if ("53200".equals(ce.sqlState())) {
      return Future.failedFuture(new CairnException(ErrorCode.DB_QUERY, "cannot lock the tables of "
          + spec.describe() + ": the server's lock table is full", "raise max_locks_per_transaction on the"
          + " server (a backup holds one lock per table, as pg_dump does)", ce.sqlState(), ce));
    }
    return Future.failedFuture(ce);
  }

  /**
   * "public.accounts (held by pid 4121: AccessExclusiveLock)", from a second session: the first table of
   * the batch that another session holds in a mode conflicting with ACCESS SHARE; empty when none is.
   */
  private Future<String> holders(List<Catalog.Rel> batch, int leaderPid) {
    Long[] oids = batch.stream().map(Catalog.Rel::oid).toArray(Long[]::new);
    return PgConnect.connect(vertx, spec).compose(c -> c
            .preparedQuery("SELECT n.nspname::text AS schema, r.relname::text AS name, k.pid, k.mode"
                + " FROM pg_locks k JOIN pg_class r ON r.oid = k.relation JOIN pg_namespace n ON n.oid = r.relnamespace"
                + " WHERE k.relation = ANY($1::int8[]::oid[]) AND k.granted AND k.mode = 'AccessExclusiveLock'"
                + " AND k.pid <> $2 ORDER BY n.nspname, r.relname, k.pid LIMIT 5")
            .execute(Tuple.of(oids, leaderPid))
            .map(rs -> {
              String table = null;
              List<String> held = new ArrayList<>();
              for (Row r : rs) {
                String t = r.getString("schema") + "." + r.getString("name");
                if (table == null) {
                  table = t;
                }
                if (t.equals(table)) {
                  held.add("pid " + r.getInteger("pid") + ": " + r.getString("mode"));
                }
              }
              return table == null ? "" : table + " (held by " + String.join(", ", held) + ")";
            })
            .eventually(() -> c.close()))
        .otherwise("");
  }
}
