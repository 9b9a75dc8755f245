package dev.cairn.pgcopy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A COPY FROM STDIN write's future completes once its bytes went to the connection (a restore then reuses
 * the buffer), and fails when the COPY failed first.
 */
class CopyInWritesIT {
  static final PgCluster PG = PgCluster.shared();
  static Vertx vertx;
  static Pools pools;
  static String db;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    pools = Pools.create(vertx, 2);
    db = PG.newDatabase("copy_in_writes");
    PG.psql(db, "CREATE TABLE t (id int, v text)");
  }

  @AfterAll
  static void stop() throws Exception {
    PG.dropDatabase(db);
    pools.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  static CopyConnection connect() throws Exception {
    return await(CopyClient.jdbc(vertx, ConnSpec.parse(PG.conninfo(db), Map.of(), null), pools.copy()).connect());
  }

  static Buffer rows(int from, int count) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < from + count; i++) {
      b.append(i).append('\t').append("row ").append(i).append('\n');
    }
    return Buffer.buffer(b.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void eachWriteCompletesOnceItsBytesAreSentAndEveryRowIsStored() throws Exception {
    CopyConnection c = connect();
    try {
      CopyInStream in = await(c.copyIn("COPY t FROM STDIN"));
      List<Future<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        writes.add(in.write(rows(i * 1000, 1000)));
      }
      for (Future<Void> w : writes) {
        await(w);
      }
      await(in.end());
      assertEquals(20_000L, await(in.rows()));
    } finally {
      await(c.close());
    }
    assertEquals("20000", PG.psql(db, "SELECT count(DISTINCT id) FROM t WHERE v = 'row ' || id"));
    PG.psql(db, "TRUNCATE t");
  }

  @Test
  void writesFailOnceTheConnectionIsLost() throws Exception {
    CopyConnection c = connect();
    try {
      CopyInStream in = await(c.copyIn("COPY t FROM STDIN"));
      await(in.write(rows(0, 10)));
      assertEquals("t", PG.psql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
          + " AND query LIKE 'COPY t FROM STDIN%'"));
      // the client learns of the closed connection from a later send
      Throwable failed = null;
      for (int i = 0; i < 10_000 && failed == null; i++) {
        failed = in.write(rows(i * 1000, 1000)).toCompletionStage().toCompletableFuture()
            .handle((v, e) -> e).get(60, TimeUnit.SECONDS);
      }
      assertTrue(failed != null, "no write failed after the connection was lost");
      ExecutionException rows = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> await(in.rows()));
      assertTrue(String.valueOf(rows.getCause().getMessage()).contains("copy in failed"), String.valueOf(rows.getCause()));
      Throwable after = in.write(rows(0, 1)).toCompletionStage().toCompletableFuture().handle((v, e) -> e)
          .get(60, TimeUnit.SECONDS);
      assertTrue(after != null, "a write after the failure must fail");
    } finally {
      c.close().toCompletionStage().toCompletableFuture().handle((v, e) -> null).get(60, TimeUnit.SECONDS);
    }
    assertEquals("0", PG.psql(db, "SELECT count(*) FROM t"));
  }
}
