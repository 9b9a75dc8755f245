package dev.cairn.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgcopy.CopyClient;
import dev.cairn.pgcopy.CopyConnection;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Regression (issue 9): connect_timeout was ignored by vertx-pg-client, so a server that accepts the TCP
 * connection and never answers held a backup forever. As in libpq it bounds the whole establishment.
 */
class ConnectTimeoutIT {
  private static final PgCluster PG = PgCluster.shared();
  private static Vertx vertx;
  private static WorkerExecutor pool;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pool = vertx.createSharedWorkerExecutor("connect-timeout-test", 1);
  }

  @AfterAll
  static void stop() throws Exception {
    pool.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  /** Connects to a loopback port whose connections the kernel accepts and nobody ever reads or answers. */
  private static CairnException failsAgainstASilentServer(String sslmode, Function<ConnSpec, Future<?>> connect)
      throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      ConnSpec spec = ConnSpec.parse("host=127.0.0.1 port=" + silent.getLocalPort() + " dbname=app user=backup"
          + " password=pw sslmode=" + sslmode + " connect_timeout=1", Map.of(), null);
      long started = System.nanoTime();
      Future<?> f = connect.apply(spec);
      Exception e = assertThrows(Exception.class, () -> f.await(20, TimeUnit.SECONDS));
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      // connect_timeout 1 counts as 2, as in libpq
      assertTrue(seconds >= 1 && seconds < 6, "gave up after " + seconds + " s");
      CairnException ce = assertThrowsCairn(e);
      assertEquals(ErrorCode.DB_CONNECT, ce.code(), ce.getMessage());
      assertTrue(ce.getMessage().contains("timeout") && ce.getMessage().contains("127.0.0.1:" + silent.getLocalPort()),
          ce.getMessage());
      return ce;
    }
  }

  private static CairnException assertThrowsCairn(Exception e) {
    assertTrue(e instanceof CairnException, () -> "not a CairnException: " + e);
    return (CairnException) e;
  }

  @Test
  void vertxPgClientGivesUpAfterConnectTimeoutOnASilentServer() throws Exception {
    CairnException e = failsAgainstASilentServer("disable", spec -> PgConnect.connect(vertx, spec));
    assertTrue(e.getMessage().contains("connect_timeout 2 s"), e.getMessage());
  }

  @Test
  void vertxPgClientGivesUpAfterConnectTimeoutWhileWaitingForTheTlsAnswer() throws Exception {
    failsAgainstASilentServer("require", spec -> PgConnect.connect(vertx, spec));
  }

  @Test
  void pgjdbcGivesUpAfterConnectTimeoutOnASilentServer() throws Exception {
    failsAgainstASilentServer("disable", spec -> CopyClient.jdbc(vertx, spec, pool).connect());
  }

  @Test
  void pgjdbcGivesUpAfterConnectTimeoutWhileWaitingForTheTlsAnswer() throws Exception {
    failsAgainstASilentServer("require", spec -> CopyClient.jdbc(vertx, spec, pool).connect());
  }

  @Test
  void aConnectTimeoutDoesNotCutAStatementThatRunsLongerOnceConnected() throws Exception {
    ConnSpec spec = ConnSpec.parse(PG.conninfo("postgres") + "?connect_timeout=2", Map.of(), null);
    CopyConnection copy = CopyClient.jdbc(vertx, spec, pool).connect().await(20, TimeUnit.SECONDS);
    try {
      copy.execute("SELECT pg_sleep(3)").await(20, TimeUnit.SECONDS);
    } finally {
      copy.close().await(20, TimeUnit.SECONDS);
    }
    var c = PgConnect.connect(vertx, spec).await(20, TimeUnit.SECONDS);
    try {
      c.query("SELECT pg_sleep(3)").execute().await(20, TimeUnit.SECONDS);
    } finally {
      c.close().await(20, TimeUnit.SECONDS);
    }
  }
}
