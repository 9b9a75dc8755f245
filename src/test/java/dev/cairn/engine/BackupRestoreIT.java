package dev.cairn.engine;

import dev.cairn.testkit.TestArchives;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fidelity fixture (src/test/resources/fixtures) through backup, verify and restore, compared with the source. */
class BackupRestoreIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final Path FIXTURE = Path.of("src/test/resources/fixtures/fidelity.sql");

  @TempDir Path repo;

  @Test
  void restoredDatabaseEqualsTheSourceInSchemaRowsSequencesLargeObjectsAndMatviews() throws Exception {
    String src = PG.newDatabase("fidelity");
    PG.psqlFile(src, FIXTURE);

    // A small split size forces the big table into several page ranges copied by different workers.
    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--jobs", 3,
        "--split-size", "512k", "--chunk-size", "256k");
    assertEquals(0, backup.code(), backup.toString());
    String id = backup.lastLine();
    assertTrue(id.startsWith(src + "-"), id);

    Manifest m = manifest(repo.resolve(id + ".cairn"));
    assertTrue(m.tables().stream().anyMatch(t -> t.parts().size() > 1), "some table must be split into page ranges");
    assertTrue(m.tables().stream().anyMatch(t -> t.parts().stream().anyMatch(p -> p.chunks().size() > 1)),
        "some part must span several chunks");
    assertTrue(m.tables().stream().anyMatch(t -> t.columns().isEmpty() && t.rows() == 3),
        "the zero-column table's rows must be counted");
    assertTrue(m.matviews().stream().anyMatch(v -> !v.populated()), "the never-populated view is recorded as such");

    CairnCli.Run verify = CairnCli.run("verify", id, "--repo", repo);
    assertEquals(0, verify.code(), verify.toString());
    assertTrue(verify.out().startsWith("OK " + id), verify.out());

    String dst = src + "_restored";
    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create",
        "--jobs", 3);
    assertEquals(0, restore.code(), restore.toString());
    assertTrue(restore.out().contains("row counts match"), restore.out());

    DbCompare.assertSameDatabase(PG, src, dst);
  }

  @Test
  void listShowAndDeleteWorkOnPublishedBackupsOnly() throws Exception {
    String src = PG.newDatabase("small");
    PG.psql(src, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g;");
    String id = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo).lastLine();
    Files.writeString(repo.resolve("." + src + "-20200101T000000Z.cairn.partial"), "unfinished");

    CairnCli.Run list = CairnCli.run("list", "--repo", repo, "--json");
    assertEquals(0, list.code(), list.toString());
    var backups = new JsonObject(list.out()).getJsonArray("backups");
    assertEquals(1, backups.size(), "a partial file is never listed: " + list.out());
    assertEquals(id, backups.getJsonObject(0).getString("id"));
    assertEquals(1000, backups.getJsonObject(0).getLong("rows"));

    CairnCli.Run show = CairnCli.run("show", "latest", "--repo", repo);
    assertEquals(0, show.code(), show.toString());
    assertTrue(show.out().contains("public.t") && show.out().contains("1000"), show.out());

    CairnCli.Run noConfirm = CairnCli.run("delete", id, "--repo", repo);
    assertEquals(2, noConfirm.code(), noConfirm.toString());
    assertTrue(Files.exists(repo.resolve(id + ".cairn")), "nothing is deleted without confirmation");

    CairnCli.Run delete = CairnCli.run("delete", id, "--repo", repo, "--yes");
    assertEquals(0, delete.code(), delete.toString());
    try (Stream<Path> s = Files.list(repo)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().equals(id + ".cairn")));
    }
  }

  @Test
  void restoreOfSelectedTablesLoadsOnlyThoseAndChecksTheirCounts() throws Exception {
    String src = PG.newDatabase("pick");
    PG.psql(src, "CREATE TABLE a (id int); CREATE TABLE b (id int);"
        + " INSERT INTO a SELECT generate_series(1, 50); INSERT INTO b SELECT generate_series(1, 70);");
    String id = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo).lastLine();
    String dst = src + "_part";
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create",
        "--table", "public.b");
    assertEquals(0, r.code(), r.toString());
    assertEquals("70", PG.psql(dst, "SELECT count(*) FROM b").strip());
    assertEquals("0", PG.psql(dst, "SELECT count(*) FROM pg_class WHERE relname = 'a' AND relkind = 'r'").strip(),
        "an unselected table is not restored");

    CairnCli.Run unknown = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst + "x"), "--create",
        "--table", "public.nope");
    assertEquals(2, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("table public.nope is not in backup " + id), unknown.err());
  }

  static Manifest manifest(Path archive) {
    try (ArchiveReader r = TestArchives.open(archive)) {
      return Manifest.parse(r.manifestJson(), archive.toString());
    }
  }
}
