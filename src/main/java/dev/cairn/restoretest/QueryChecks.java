package dev.cairn.restoretest;

import dev.cairn.config.RestoreTestConfig;
import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Loops;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The checks that run SQL on the restored database: the configured SQL checks (first column of the first
 * row against the expectation) and amcheck's {@code bt_index_check} on every valid btree index of the user's
 * schemas, one index at a time, the extension created in the scratch database when the server has it.
 */
final class QueryChecks {
  /** What the checks found: problems, and what was run (for the report). */
  record Outcome(List<String> problems, String checked) {}

  private final Vertx vertx;
  private final ConnSpec scratch;

  QueryChecks(Vertx vertx, ConnSpec scratch) {
    this.vertx = vertx;
    this.scratch = scratch;
  }

  Future<Outcome> sql(List<RestoreTestConfig.SqlCheck> checks) {
    List<String> problems = new ArrayList<>();
    Iterator<RestoreTestConfig.SqlCheck> it = checks.iterator();
    return Db.with(vertx, scratch, c -> Loops.repeat(() -> {
      if (!it.hasNext()) {
        return Future.succeededFuture(false);
      }
      RestoreTestConfig.SqlCheck check = it.next();
      Expect expect = Expect.parse(check.expect());
      return c.query(check.sql()).execute().map(rs -> {
        Row r = rs.iterator().hasNext() ? rs.iterator().next() : null;
        Object v = r == null || r.size() == 0 ? null : r.getValue(0);
        if (r == null) {
          problems.add("check \"" + check.name() + "\": returned no row, expected " + expect);
        } else if (!expect.test(v == null ? null : v.toString())) {
          problems.add("check \"" + check.name() + "\": returned " + (v == null ? "null" : v) + ", expected " + expect);
        }
        return true;
      }).recover(e -> {
        problems.add("check \"" + check.name() + "\": failed: " + e.getMessage());
        return Future.succeededFuture(true);
      });
    }), "cannot run the SQL checks on " + scratch.database())
        .map(v -> new Outcome(problems, checks.size() + " SQL check" + (checks.size() == 1 ? "" : "s")));
  }

  private static final String BTREE_INDEXES = "SELECT c.oid::int8 AS oid, n.nspname::text AS s, c.relname::text AS i"
      + " FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am a ON a.oid = c.relam"
      + " JOIN pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE a.amname = 'btree' AND c.relkind = 'i' AND x.indisvalid AND x.indisready AND c.relpersistence <> 't'"
      + " AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 2, 3";

  /** Without amcheck on the server: no problems, and {@code checked} says it was skipped. */
  Future<Outcome> amcheck() {
    return Db.with(vertx, scratch, c -> c.query("SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck'")
        .execute().compose(avail -> {
          if (avail.size() == 0) {
            return Future.succeededFuture(new Outcome(List.of(), "amcheck not available on the server: skipped"));
          }
          List<String> problems = new ArrayList<>();
          return c.query("CREATE EXTENSION IF NOT EXISTS amcheck").execute()
              .compose(x -> c.query(BTREE_INDEXES).execute())
              .compose(rs -> {
                List<Row> idx = new ArrayList<>();
                rs.forEach(idx::add);
                Iterator<Row> it = idx.iterator();
                return Loops.repeat(() -> {
                  if (!it.hasNext()) {
                    return Future.succeededFuture(false);
                  }
                  Row r = it.next();
                  return c.query("SELECT bt_index_check(" + r.getLong("oid") + "::oid)").execute().map(true)
                      .recover(e -> {
                        problems.add("index " + r.getString("s") + "." + r.getString("i") + ": bt_index_check: "
                            + e.getMessage());
                        return Future.succeededFuture(true);
                      });
                }).map(v -> new Outcome(problems, "amcheck of " + idx.size() + " btree index"
                    + (idx.size() == 1 ? "" : "es")));
              });
        }), "cannot run amcheck on " + scratch.database());
  }
}
