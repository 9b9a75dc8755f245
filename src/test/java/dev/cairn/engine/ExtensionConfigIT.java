package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.TestExtensions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 1: the rows users add to an extension's configuration tables (pg_extension_config_dump)
 * are data; they survive backup and restore, and the extension's own rows (left out by its registered
 * filter) are not doubled.
 */
class ExtensionConfigIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;

  @Test
  void userRowsOfExtensionConfigurationTablesSurviveRestoreAndTheExtensionsOwnRowsAreNotDuplicated() {
    assumeTrue(TestExtensions.install(PG, TestExtensions.CONFIG_TABLES),
        "skipped: cannot install the test extension into the server's share directory (needs root)");
    String src = PG.newDatabase("extcfg");
    PG.psql(src, "CREATE EXTENSION cairn_cfgtest;"
        + " INSERT INTO cfgtest_codes VALUES (3, 'mine', false), (4, 'mine too', false);"
        + " INSERT INTO cfgtest_notes VALUES ('a', 'x'), ('b', 'y');"
        + " SELECT setval('cfgtest_seq', 41);"
        + " CREATE TABLE plain (id int PRIMARY KEY); INSERT INTO plain VALUES (1);");

    String dst = backupAndRestore(src);

    assertEquals("1|shipped one|t\n2|shipped two|t\n3|mine|f\n4|mine too|f",
        PG.psql(dst, "SELECT * FROM cfgtest_codes ORDER BY id"));
    assertEquals("a|x\nb|y", PG.psql(dst, "SELECT * FROM cfgtest_notes ORDER BY k"));
    assertEquals("41|t", PG.psql(dst, "SELECT last_value, is_called FROM cfgtest_seq"));
    DbCompare.assertSameDatabase(PG, src, dst);
  }

  @Test
  void aDataOnlyRestoreAddsTheUserRowsToTheExtensionsOwnInTheSchemaRestoredBefore() {
    assumeTrue(TestExtensions.install(PG, TestExtensions.CONFIG_TABLES),
        "skipped: cannot install the test extension into the server's share directory (needs root)");
    String src = PG.newDatabase("extcfg_split");
    PG.psql(src, "CREATE EXTENSION cairn_cfgtest; INSERT INTO cfgtest_codes VALUES (3, 'mine', false);");
    CairnCli.Run schema = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--schema-only");
    assertEquals(0, schema.code(), schema.toString());
    CairnCli.Run data = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--data-only");
    assertEquals(0, data.code(), data.toString());
    String dst = src + "_restored";
    CairnCli.Run first = CairnCli.run("restore", schema.lastLine(), "--repo", repo, "--db", PG.conninfo(dst),
        "--create");
    assertEquals(0, first.code(), first.toString());

    CairnCli.Run second = CairnCli.run("restore", data.lastLine(), "--repo", repo, "--db", PG.conninfo(dst));

    assertEquals(0, second.code(), "the extension's own rows are no reason to refuse: " + second);
    assertEquals("1,2,3", PG.psql(dst, "SELECT string_agg(id::text, ',' ORDER BY id) FROM cfgtest_codes"));
  }

  @Test
  void customPostgisSridAndGeometriesSurviveRestore() {
    assumeTrue(TestExtensions.available(PG, "postgis"),
        "skipped: PostGIS is not installed (Debian postgresql-15-postgis-3; scripts/lib.sh installs it)");
    String src = PG.newDatabase("postgis");
    PG.psql(src, "CREATE EXTENSION postgis;"
        + " INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text)"
        + "   VALUES (990001, 'x', 990001, '+proj=longlat +datum=WGS84 +no_defs');"
        + " CREATE TABLE places (id int PRIMARY KEY, g geometry(Point, 990001), gg geography);"
        + " INSERT INTO places VALUES (1, ST_SetSRID(ST_MakePoint(1, 2), 990001),"
        + "   ST_GeogFromText('SRID=4326;POINT(13.4 52.5)'));");
    String shipped = PG.psql(src, "SELECT count(*) FROM spatial_ref_sys");

    String dst = backupAndRestore(src);

    assertEquals("990001|x|+proj=longlat +datum=WGS84 +no_defs",
        PG.psql(dst, "SELECT srid, auth_name, proj4text FROM spatial_ref_sys WHERE srid = 990001"));
    assertEquals(shipped, PG.psql(dst, "SELECT count(*) FROM spatial_ref_sys"), "no SRID is doubled");
    assertEquals("SRID=990001;POINT(1 2)", PG.psql(dst, "SELECT ST_AsEWKT(g) FROM places"));
    DbCompare.assertSameDatabase(PG, src, dst);
  }

  private String backupAndRestore(String src) {
    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo);
    assertEquals(0, backup.code(), backup.toString());
    String dst = src + "_restored";
    CairnCli.Run restore = CairnCli.run("restore", backup.lastLine(), "--repo", repo, "--db", PG.conninfo(dst),
        "--create");
    assertEquals(0, restore.code(), restore.toString());
    return dst;
  }
}
