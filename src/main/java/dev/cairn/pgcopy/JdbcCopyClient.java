package dev.cairn.pgcopy;

import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.util.Properties;

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
    Future<CopyConnection> attempt = pool.<CopyConnection>executeBlocking(() -> {
      try {
        Properties props = spec.jdbcProperties();
        // over TCP: read the socket in large blocks (a unix socket has its own factory)
        props.putIfAbsent("socketFactory", ReadAheadSocketFactory.class.getName());
        int timeout = spec.connectTimeoutSeconds();
        if (timeout > 0) {
          // pgjdbc's connectTimeout bounds only the TCP connect: bound every read of the establishment too,
          // so a silent server frees this thread and its socket, then lift it for hours-long COPYs
          props.setProperty("socketTimeout", Integer.toString(timeout));
        }
        // The driver is instantiated directly: DriverManager would scan the class path on every call.
        Connection c = new org.postgresql.Driver().connect(spec.jdbcUrl(), props);
        if (timeout > 0) {
          c.setNetworkTimeout(Runnable::run, 0);
        }
        c.setAutoCommit(true);
        return new JdbcCopyConnection(vertx, pool, c, spec.describe());
      } catch (Exception e) {
        throw isReadTimeout(e) ? PgConnect.timedOut(spec) : PgErrors.from(e, "cannot connect to " + spec.describe());
      }
    }, false);
    return PgConnect.within(vertx, spec, attempt, CopyConnection::close);
  }

  private static boolean isReadTimeout(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }
}
