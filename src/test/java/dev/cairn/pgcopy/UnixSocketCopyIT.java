package dev.cairn.pgcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The COPY data plane over the server's unix socket (pgjdbc through {@code conn.UnixSocketFactory}):
 * rows both ways (none lost while the reading side has no handler yet), and a cancel from another
 * thread, which pgjdbc sends over a second socket connection.
 */
class UnixSocketCopyIT {
  static final PgCluster PG = PgCluster.shared();
  static Vertx vertx;
  static Pools pools;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pools = Pools.create(vertx, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    pools.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static ConnSpec socket(String db) {
    return ConnSpec.parse("host=" + PG.socketDir() + " port=" + PG.port() + " dbname=" + db + " user="
        + PgCluster.SUPERUSER + " application_name=cairn_uds_test", Map.of(), null);
  }

  @Test
  void rowsGoOutAndComeBackInThroughTheUnixSocket() throws Exception {
    String db = PG.newDatabase("uds_copy");
    try {
      PG.psql(db, "CREATE TABLE src (id int, v text); CREATE TABLE dst (id int, v text);"
          + "INSERT INTO src SELECT g, repeat('x', g % 500) FROM generate_series(1, 50000) g;");
      CopyClient client = CopyClient.jdbc(vertx, socket(db), pools.copy());
      CopyConnection out = await(client.connect());
      CopyConnection in = await(client.connect());
      try {
        // Write everything read: COPY FROM polls the socket for server messages with a 1 ms read timeout
        CopyOutStream rows = await(out.copyOut("COPY src TO STDOUT"));
        CopyInStream sink = await(in.copyIn("COPY dst FROM STDIN"));
        Thread.sleep(300); // batches that arrive before the stream has a handler wait for it (none is dropped)
        await(rows.pipe().to(sink));
        assertEquals(50000L, await(rows.rows()));
        assertEquals(50000L, await(sink.rows()));
      } finally {
        await(out.close());
        await(in.close());
      }
      String sum = "SELECT count(*) || ' ' || md5(string_agg(id || v, ',' ORDER BY id))";
      assertEquals(PG.psql(db, sum + " FROM src"), PG.psql(db, sum + " FROM dst"));
    } finally {
      PG.dropDatabase(db);
    }
  }

  @Test
  void aRunningCopyIsCancelledOnTheServer() throws Exception {
    CopyConnection c = await(CopyClient.jdbc(vertx, socket("postgres"), pools.copy()).connect());
    try {
      // the server answers COPY of a query once the query has run: the cancel comes while copyOut waits
      Future<CopyOutStream> started = c.copyOut("COPY (SELECT pg_sleep(60)) TO STDOUT");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!"1".equals(PG.psql("postgres", "SELECT count(*) FROM pg_stat_activity"
          + " WHERE application_name = 'cairn_uds_test' AND state = 'active'"))) {
        assertTrue(System.nanoTime() < deadline, "the COPY never started");
        Thread.sleep(20);
      }
      long t0 = System.nanoTime();
      c.cancel();
      Throwable failure = started.compose(CopyOutStream::rows).toCompletionStage().toCompletableFuture()
          .handle((n, e) -> e).get(20, TimeUnit.SECONDS);
      assertTrue(failure != null, "the cancelled COPY must fail");
      assertTrue(String.valueOf(failure.getMessage()).contains("cancel"), String.valueOf(failure));
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos(), "cancel took too long");
    } finally {
      await(c.close());
    }
    assertEquals("0", PG.psql("postgres", "SELECT count(*) FROM pg_stat_activity"
        + " WHERE application_name = 'cairn_uds_test' AND state = 'active'"));
  }
}
