package dev.cairn.notify;

import dev.cairn.config.NotificationConfig;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * One row per event in a PostgreSQL table (by default one per finished job), created with its schema when
 * missing. The event id is the primary key, so a retried insert never adds a second row.
 */
final class HistoryTableSink extends Sink {
  private final Vertx vertx;
  private final NotificationConfig.Postgres config;
  private final ConnSpec spec;
  private boolean created;

  HistoryTableSink(Vertx vertx, String name, NotificationConfig.Postgres config, Set<String> events) {
    super(name, "postgres", events);
    this.vertx = vertx;
    this.config = config;
    this.spec = ConnSpec.parse(config.url());
  }

  static String ddl(String table) {
    String schema = table.contains(".") ? "CREATE SCHEMA IF NOT EXISTS " + table.substring(0, table.indexOf('.'))
        + "; " : "";
    return schema + "CREATE TABLE IF NOT EXISTS " + table + " (event_id text PRIMARY KEY, at timestamptz NOT NULL,"
        + " type text NOT NULL, database text, backup_id text, job_id text, duration_seconds double precision,"
        + " bytes bigint, error_code text, message text)";
  }

  @Override
  Future<Void> send(Event e) {
    String where = "history table " + config.table() + " on " + spec.describe();
    return PgConnect.connect(vertx, spec)
        .recover(ex -> Future.failedFuture(new DeliveryException(where + ": " + ex.getMessage(), true, null)))
        .compose(conn -> insert(conn, e).eventually(conn::close)
            .recover(ex -> Future.failedFuture(ex instanceof DeliveryException ? ex
                : new DeliveryException(where + ": " + ex.getMessage(), retryable(ex), null))));
  }

  private Future<Void> insert(PgConnection conn, Event e) {
    Future<Void> ready = created ? Future.succeededFuture()
        : conn.query(ddl(config.table())).execute().map(r -> {
          created = true;
          return null;
        });
    return ready.compose(v -> conn.preparedQuery("INSERT INTO " + config.table() + " (event_id, at, type, database,"
            + " backup_id, job_id, duration_seconds, bytes, error_code, message)"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (event_id) DO NOTHING")
        .execute(Tuple.wrap(java.util.Arrays.asList(e.id(), e.at().atOffset(ZoneOffset.UTC), e.type().code(),
            e.database(), e.backupId(), e.jobId(), e.duration() == null ? null : e.duration().toMillis() / 1000.0,
            e.bytes() == 0 ? null : e.bytes(), e.errorCode(), e.message()))))
        .mapEmpty();
  }

  /** A lost connection may heal; a missing privilege or a wrong table does not. */
  private static boolean retryable(Throwable ex) {
    return ex instanceof CairnException c && (c.code() == ErrorCode.DB_CONNECT);
  }
}
