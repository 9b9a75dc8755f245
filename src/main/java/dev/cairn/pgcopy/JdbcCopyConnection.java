package dev.cairn.pgcopy;

import dev.cairn.conn.PgErrors;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.sql.Connection;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

final class JdbcCopyConnection implements CopyConnection {
  private final Vertx vertx;
  private final WorkerExecutor pool;
  private final Connection conn;
  private final String where;
  private volatile JdbcCopyOutStream activeOut;

  JdbcCopyConnection(Vertx vertx, WorkerExecutor pool, Connection conn, String where) {
    this.vertx = vertx;
    this.pool = pool;
    this.conn = conn;
    this.where = where;
  }

  @Override
  public Future<Void> execute(String sql) {
    return pool.executeBlocking(() -> {
      try (Statement st = conn.createStatement()) {
        st.execute(sql);
        return null;
      } catch (Exception e) {
        throw PgErrors.from(e, "statement failed on " + where);
      }
    }, false);
  }

  @Override
  public Future<CopyOutStream> copyOut(String sql, BatchArrays arrays,
      java.util.function.Consumer<byte[]> eachRow) {
    Context ctx = vertx.getOrCreateContext();
    return pool.<CopyOut>executeBlocking(() -> {
      try {
        return copyManager().copyOut(sql);
      } catch (Exception e) {
        throw PgErrors.from(e, "copy out failed on " + where);
      }
    }, false).map(op -> {
      JdbcCopyOutStream s = new JdbcCopyOutStream(ctx, op, where, this, arrays, eachRow);
      activeOut = s;
      // The read loop holds a pool thread until the COPY ends: the pool is sized for that.
      pool.executeBlocking(s::readLoop, false);
      return s;
    });
  }

  @Override
  public Future<CopyInStream> copyIn(String sql) {
    Context ctx = vertx.getOrCreateContext();
    return pool.<CopyIn>executeBlocking(() -> {
      try {
        return copyManager().copyIn(sql);
      } catch (Exception e) {
        throw PgErrors.from(e, "copy in failed on " + where);
      }
    }, false).map(op -> {
      JdbcCopyInStream s = new JdbcCopyInStream(ctx, op, where, this);
      pool.executeBlocking(s::writeLoop, false);
      return s;
    });
  }

  private CopyManager copyManager() throws java.sql.SQLException {
    return conn.unwrap(PGConnection.class).getCopyAPI();
  }

  @Override
  public void cancel() {
    JdbcCopyOutStream out = activeOut;
    if (out != null) {
      out.abandon();
    }
    try {
      conn.unwrap(PGConnection.class).cancelQuery();
    } catch (Exception ignored) {
      // best effort: the connection may already be gone, which ends the statement too
    }
  }

  @Override
  public Future<Void> close() {
    return pool.<Void>executeBlocking(() -> {
      try {
        conn.close();
      } catch (Exception ignored) {
        // closing a broken connection has nothing left to report
      }
      return null;
    }, false).recover(t -> Future.succeededFuture());
  }
}
