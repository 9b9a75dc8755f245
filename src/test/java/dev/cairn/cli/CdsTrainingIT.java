package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.testkit.PgCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The class-data training (scripts/lib.sh) runs each of its commands for real: a command line it passes that a
 * command no longer accepts would leave the archive without the classes after it, and every command slower,
 * with nothing failing.
 */
class CdsTrainingIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;

  @Test
  void everyTrainingCommandSucceedsAndTheRestoredDatabaseHasTheRows() {
    String src = PG.newDatabase("train");
    PG.psql(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, repeat('v', 100) || g"
        + " FROM generate_series(1, 20000) g;");
    String restored = src + "_r";
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int code = CdsTraining.run(PG.conninfo(src), PG.conninfo(restored), PG.conninfo("postgres"),
        dir.resolve("repo").toString(), new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(0, code, log.toString(StandardCharsets.UTF_8));
    assertEquals("20000", PG.psql(restored, "SELECT count(*) FROM t").strip());
    PG.dropDatabase(restored);
  }
}
