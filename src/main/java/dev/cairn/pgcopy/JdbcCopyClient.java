package dev.cairn.pgcopy;

import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;

final class JdbcCopyClient implements CopyClient {
  private final Vertx vertx;
  private final ConnSpec spec;
  private final WorkerExecutor pool;

  JdbcCopyClient(Vertx vertx, ConnSpec spec, WorkerExecutor pool) {
    this.vertx = vertx;
    this.spec = spec;
    this.pool = pool;
  }

  @Override
  public Future<CopyConnection> connect() {
    return pool.<CopyConnection>executeBlocking(() -> {
      try {
        // The driver is instantiated directly: DriverManager would scan the class path on every call.
        Connection c = new org.postgresql.Driver().connect(spec.jdbcUrl(), spec.jdbcProperties());
        c.setAutoCommit(true);
        return new JdbcCopyConnection(vertx, pool, c, spec.describe());
      } catch (Exception e) {
        throw PgErrors.from(e, "cannot connect to " + spec.describe());
      }
    }, false);
  }
}
