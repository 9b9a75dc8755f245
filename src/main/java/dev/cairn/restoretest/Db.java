package dev.cairn.restoretest;

import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One short session per statement on a restore test's databases (vertx-pg-client, never blocking). */
final class Db {
  private Db() {}

  /** The rows of {@code sql}; a failure is a CairnException starting with {@code what}. */
  static Future<List<Row>> query(Vertx vertx, ConnSpec spec, String sql, String what) {
    return with(vertx, spec, c -> c.query(sql).execute().map(rs -> {
      List<Row> out = new ArrayList<>();
      rs.forEach(out::add);
      return out;
    }), what);
  }

  static <T> Future<T> with(Vertx vertx, ConnSpec spec, Function<PgConnection, Future<T>> work, String what) {
    return PgConnect.connect(vertx, spec)
        .compose(c -> work.apply(c).eventually(() -> c.close()))
        .recover(e -> Future.failedFuture(PgErrors.from(e, what)));
  }
}
