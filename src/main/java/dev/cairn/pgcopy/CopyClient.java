package dev.cairn.pgcopy;

import dev.cairn.conn.ConnSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/** Opens {@link CopyConnection}s. Each open connection holds one thread of the pool while a COPY runs. */
public interface CopyClient {

  Future<CopyConnection> connect();

  /**
   * pgjdbc-backed client. {@code pool} must have at least as many threads as connections that copy at
   * the same time, since a running COPY occupies a thread for its whole duration.
   */
  static CopyClient jdbc(Vertx vertx, ConnSpec spec, WorkerExecutor pool) {
    return new JdbcCopyClient(vertx, spec, pool);
  }
}
