package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 2: a row much larger than a chunk backs up and restores with the command line's own
 * heap; one larger than the heap can hold fails fast, names the table and the setting, and leaves no
 * session on the server.
 */
class BigValueIT {
  private static final PgCluster PG = PgCluster.shared();
  /** As scripts/lib.sh cairn_java_opts runs a backup or a restore. */
  private static final List<String> CLI_HEAP = List.of("-Xmx160m", "-Xmn96m", "-XX:+UseSerialGC");

  @TempDir Path dir;

  private record Result(int code, String log) {}

  private static String bigValue(int mib) {
    return "decode(string_agg(md5(i::text), ''), 'hex') FROM generate_series(1, " + mib + " * 65536) i";
  }

  private Result run(List<String> jvm, String name, Object... args) throws Exception {
    try (CairnProcess p = CairnProcess.start(dir.resolve(name + ".log"), jvm, args)) {
      int code = p.waitFor(120);
      return new Result(code, p.log());
    }
  }

  @Test
  @Timeout(300)
  void a20MibByteaValueBacksUpAndRestoresIdenticallyWithTheCliHeap() throws Exception {
    String db = PG.newDatabase("bigvalue");
    PG.psql(db, "CREATE TABLE big (id int PRIMARY KEY, blob bytea); INSERT INTO big SELECT 1, " + bigValue(20)
        + "; INSERT INTO big VALUES (2, 'small');");
    Path repo = dir.resolve("repo");
    Result backup = run(CLI_HEAP, "backup", "backup", "--db", PG.conninfo(db), "--repo", repo);
    assertEquals(0, backup.code(), backup.log());
    String id = backup.log().strip().lines().reduce((a, b) -> b).orElseThrow().strip();
    String restored = db + "_r";
    Result restore = run(CLI_HEAP, "restore", "restore", id, "--repo", repo, "--db",
        PG.conninfo(restored), "--create");
    assertEquals(0, restore.code(), restore.log());
    String sum = "SELECT string_agg(id || ':' || length(blob) || ':' || md5(blob), ',' ORDER BY id) FROM big";
    assertEquals(PG.psql(db, sum).strip(), PG.psql(restored, sum).strip());
    assertTrue(PG.psql(restored, sum).contains("1:20971520:"), PG.psql(restored, sum));
  }

  @Test
  @Timeout(600)
  void a200MibByteaValueBacksUpAndRestoresWithTheHeapTheReadmeNames() throws Exception {
    String db = PG.newDatabase("bigvalue200");
    PG.psql(db, "CREATE TABLE big (id int PRIMARY KEY, blob bytea); INSERT INTO big SELECT 1, " + bigValue(200));
    Path repo = dir.resolve("repo");
    // 200 MiB of bytea is 400 MiB of COPY text: about twice that in heap, as the README says
    List<String> heap = List.of("-Xmx1200m", "-XX:+UseSerialGC");
    Result backup = run(heap, "backup", "backup", "--db", PG.conninfo(db), "--repo", repo);
    assertEquals(0, backup.code(), backup.log());
    String id = backup.log().strip().lines().reduce((a, b) -> b).orElseThrow().strip();
    String restored = db + "_r";
    Result restore = run(heap, "restore", "restore", id, "--repo", repo, "--db", PG.conninfo(restored), "--create");
    assertEquals(0, restore.code(), restore.log());
    String sum = "SELECT length(blob) || ':' || md5(blob) FROM big";
    assertEquals(PG.psql(db, sum).strip(), PG.psql(restored, sum).strip());
    assertTrue(PG.psql(restored, sum).startsWith("209715200:"), PG.psql(restored, sum));
    PG.dropDatabase(restored);
    PG.dropDatabase(db);
  }

  @Test
  @Timeout(300)
  void aValueTooLargeForTheHeapFailsFastNamingTheTableAndTheSetting() throws Exception {
    String db = PG.newDatabase("hugevalue");
    PG.psql(db, "CREATE TABLE huge (id int PRIMARY KEY, blob bytea); INSERT INTO huge SELECT 1, " + bigValue(40));
    long t0 = System.nanoTime();
    Result backup = run(List.of("-Xmx64m", "-XX:+UseSerialGC"), "backup", "backup", "--db",
        PG.conninfo(db), "--repo", dir.resolve("repo"));
    assertTrue((System.nanoTime() - t0) / 1_000_000_000 < 60, "not fast: " + backup.log());
    assertEquals(3, backup.code(), backup.log());
    assertTrue(backup.log().contains("COPY_FAILED"), backup.log());
    assertTrue(backup.log().contains("public.huge") && backup.log().contains("CAIRN_JAVA_OPTS"), backup.log());
    assertEquals("0", PG.psql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '" + db + "'")
        .strip(), "a session of the backup is left on the server");
  }
}
