package dev.cairn.restore;

import dev.cairn.archive.Manifest;
import dev.cairn.archive.Sql;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * The restore's steps on the target database as a whole: creating (or dropping and creating) it, sequence
 * values, refreshing materialized views, the whole-database ANALYZE. None starts once the restore stops.
 */
final class TargetSteps {
  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec target;
  private final Restorer.Options opts;
  private final BooleanSupplier stopping;
  private final ChildProcess vacuumdb;

  TargetSteps(Vertx vertx, Pools pools, ConnSpec target, Restorer.Options opts, BooleanSupplier stopping,
      ChildProcess vacuumdb) {
    this.vertx = vertx;
    this.pools = pools;
    this.target = target;
    this.opts = opts;
    this.stopping = stopping;
    this.vacuumdb = vacuumdb;
  }

  /** --clean drops the target database, --create makes it; both from the maintenance database. */
  Future<Void> prepareDatabase(Manifest m) {
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

  Future<Void> setSequences(List<Manifest.Sequence> seqs) {
    if (seqs.isEmpty()) {
      return Future.succeededFuture();
    }
    String sql = seqs.stream().map(s -> "SELECT pg_catalog.setval(" + Sql.literal(s.sqlName()) + ", " + s.lastValue()
        + ", " + s.isCalled() + ")").collect(Collectors.joining("; "));
    return withTarget(c -> c.query(sql).execute().mapEmpty(), "cannot set sequence values");
  }

  /** One view at a time, in a loop: a chain of futures built up front would grow with the view count. */
  Future<Void> refreshMatviews(List<Manifest.Matview> views) {
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
  Future<Void> analyze(PgTool restoreTool) {
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

  private Future<Void> withTarget(java.util.function.Function<PgConnection, Future<Void>> work, String context) {
    if (stopping.getAsBoolean()) {
      return Future.failedFuture(Restorer.cancelled());
    }
    return PgConnect.connect(vertx, target)
        .compose(c -> work.apply(c).eventually(() -> c.close()))
        .recover(e -> Future.failedFuture(PgErrors.from(e, context)));
  }
}
