package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backup --schema-only takes no table data; backup --data-only takes the data, large objects and sequence
 * values, and restores into existing, empty tables (triggers and foreign keys not fired while loading).
 */
class SelectiveBackupIT {
  private static final PgCluster PG = PgCluster.shared();
  private static String src;

  @TempDir Path repo;

  @BeforeAll
  static void source() {
    src = PG.newDatabase("selective");
    PG.psql(src, "CREATE TABLE parent (id int PRIMARY KEY, name text);"
        + " CREATE TABLE child (id serial PRIMARY KEY, parent_id int NOT NULL REFERENCES parent, note text);"
        // a trigger that fired during a data-only load would change every row it loads
        + " CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := NEW.note || '!';"
        + "   RETURN NEW; END$$;"
        + " CREATE TRIGGER shout BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION shout();"
        + " INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 200) g;"
        + " INSERT INTO child (parent_id, note) SELECT 1 + g % 200, 'c' || g FROM generate_series(1, 500) g;"
        + " SELECT lo_from_bytea(0, 'hello');"
        + " CREATE MATERIALIZED VIEW child_count AS SELECT count(*) AS n FROM child;");
  }

  private String backup(String option) {
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, option);
    assertEquals(0, b.code(), b.toString());
    return b.lastLine();
  }

  @Test
  void schemaOnlyBackupHoldsNoDataAndRestoresTheSameSchemaWithEmptyTables() {
    String id = backup("--schema-only");
    Manifest m = BackupRestoreIT.manifest(repo.resolve(id + ".cairn"));
    assertEquals(Manifest.Content.SCHEMA_ONLY, m.content());
    assertEquals(2, m.tables().size(), "the tables are listed");
    assertTrue(m.tables().stream().allMatch(t -> t.parts().isEmpty() && t.rows() == 0), "no COPY of any table");
    assertTrue(m.sequences().isEmpty(), "sequence values are data");
    CairnCli.Run show = CairnCli.run("show", id, "--repo", repo);
    assertTrue(show.out().contains("schema only"), show.out());

    String dst = src + "_schema";
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().contains("restoring schema only from backup " + id), r.err());
    assertEquals(PG.schemaDump(src), PG.schemaDump(dst));
    assertEquals("0|0|0", PG.psql(dst, "SELECT (SELECT count(*) FROM parent), (SELECT count(*) FROM child),"
        + " (SELECT count(*) FROM pg_largeobject_metadata)"));
  }

  @Test
  void dataOnlyBackupRestoresIntoTheExistingEmptyTablesOfASchemaRestore() {
    String data = backup("--data-only");
    Manifest m = BackupRestoreIT.manifest(repo.resolve(data + ".cairn"));
    assertEquals(Manifest.Content.DATA_ONLY, m.content());
    assertEquals(700, m.totalRows());
    assertTrue(CairnCli.run("show", data, "--repo", repo).out().contains("data only"));
    String schema = backup("--schema-only");
    String dst = src + "_data";
    assertEquals(0, CairnCli.run("restore", schema, "--repo", repo, "--db", PG.conninfo(dst), "--create").code());

    CairnCli.Run r = CairnCli.run("restore", data, "--repo", repo, "--db", PG.conninfo(dst));
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.err().contains("restoring data only from backup " + data), r.err());
    // rows (triggers did not fire), sequence values, the large object and the refreshed view
    DbCompare.assertSameDatabase(PG, src, dst);

    CairnCli.Run again = CairnCli.run("restore", data, "--repo", repo, "--db", PG.conninfo(dst));
    assertEquals(8, again.code(), again.toString());
    assertTrue(again.err().contains("tables holding rows public.child, public.parent")
        || again.err().contains("tables holding rows public.parent, public.child"), again.err());
  }

  @Test
  void dataOnlyRestoreWithoutTheTablesFailsUpFrontNamingThemAndChangesNothing() {
    String data = backup("--data-only");
    String empty = PG.newDatabase("no_schema");
    CairnCli.Run r = CairnCli.run("restore", data, "--repo", repo, "--db", PG.conninfo(empty));
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.err().contains("RESTORE_PRECONDITION") && r.err().contains("missing tables")
        && r.err().contains("public.parent") && r.err().contains("public.child"), r.err());
    assertEquals("0|0", PG.psql(empty, "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace),"
        + " (SELECT count(*) FROM pg_largeobject_metadata)"), "nothing was restored");

    CairnCli.Run create = CairnCli.run("restore", data, "--repo", repo, "--db", PG.conninfo(empty + "_new"),
        "--create");
    assertEquals(2, create.code(), create.toString());
    assertTrue(create.err().contains("is data-only"), create.err());
  }
}
