package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 6: restore --create (and --clean) brings the database's own properties, as pg_restore
 * --create does: settings per database and per role in it, comment, connection limit, privileges.
 */
class DatabasePropertiesIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;

  @Test
  void restoreCreateAndCleanKeepSettingsRoleSettingsCommentConnectionLimitAndPrivilegesOfTheDatabase() {
    String src = PG.newDatabase("dbprops");
    String suffix = Long.toHexString(System.nanoTime());
    String reader = "reader_" + suffix;
    String owner = "creator_" + suffix;
    PG.psql("postgres", "CREATE ROLE " + reader + "; CREATE ROLE " + owner + ";"
        + " ALTER DATABASE " + src + " SET search_path = app, public;"
        + " ALTER DATABASE " + src + " SET work_mem = '8MB';"
        + " ALTER ROLE " + reader + " IN DATABASE " + src + " SET statement_timeout = '5s';"
        + " ALTER DATABASE " + src + " CONNECTION LIMIT 7;"
        + " COMMENT ON DATABASE " + src + " IS 'the shop''s database';"
        + " REVOKE ALL ON DATABASE " + src + " FROM PUBLIC;"
        + " GRANT CONNECT ON DATABASE " + src + " TO " + reader + ";"
        + " GRANT CREATE ON DATABASE " + src + " TO " + owner + " WITH GRANT OPTION;");
    PG.psql(src, "CREATE SCHEMA app; CREATE TABLE app.t (id int); INSERT INTO app.t VALUES (1);");

    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo);
    assertEquals(0, backup.code(), backup.toString());
    String dst = src + "_restored";
    CairnCli.Run restore = CairnCli.run("restore", backup.lastLine(), "--repo", repo, "--db", PG.conninfo(dst),
        "--create");
    assertEquals(0, restore.code(), restore.toString());

    assertEquals(properties(src).replace(src, "DB"), properties(dst).replace(dst, "DB"));
    assertEquals("7|the shop's database", PG.psql("postgres", "SELECT datconnlimit, shobj_description(oid,"
        + " 'pg_database') FROM pg_database WHERE datname = '" + dst + "'"));
    assertEquals("1", PG.psql(dst, "SELECT id FROM t"), "the database's search_path is in effect");

    PG.psql("postgres", "ALTER DATABASE " + dst + " RESET ALL; COMMENT ON DATABASE " + dst + " IS NULL");
    CairnCli.Run clean = CairnCli.run("restore", backup.lastLine(), "--repo", repo, "--db", PG.conninfo(dst),
        "--clean", "--yes");
    assertEquals(0, clean.code(), clean.toString());
    assertEquals(properties(src).replace(src, "DB"), properties(dst).replace(dst, "DB"), "--clean restores them too");
  }

  @Test
  void restoreCreateRefusesBeforeChangingAnythingWhenTheDatabasesOwnerIsMissing() {
    String role = "gone_owner_" + Long.toHexString(System.nanoTime());
    PG.psql("postgres", "CREATE ROLE " + role);
    String src = PG.newDatabase("dbowner");
    PG.psql("postgres", "ALTER DATABASE " + src + " OWNER TO " + role);
    PG.psql(src, "CREATE TABLE t (id int); INSERT INTO t VALUES (1);");
    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo);
    assertEquals(0, backup.code(), backup.toString());
    PG.psql("postgres", "ALTER DATABASE " + src + " OWNER TO postgres; DROP ROLE " + role);

    String dst = src + "_restored";
    CairnCli.Run restore = CairnCli.run("restore", backup.lastLine(), "--repo", repo, "--db", PG.conninfo(dst),
        "--create");

    assertEquals(8, restore.code(), restore.toString());
    assertTrue(restore.err().contains("RESTORE_PRECONDITION") && restore.err().contains(role), restore.toString());
    assertEquals("", PG.psql("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + dst + "'"),
        "nothing was created");
  }

  /** Everything of the database that pg_dump --create carries, as one comparable text. */
  private static String properties(String db) {
    return PG.psql("postgres", "SELECT datconnlimit, shobj_description(d.oid, 'pg_database'), datacl::text,"
        + " pg_get_userbyid(datdba), (SELECT string_agg(coalesce(r.rolname, '-') || ':' || s.setconfig::text, ';'"
        + "   ORDER BY r.rolname NULLS FIRST) FROM pg_db_role_setting s LEFT JOIN pg_roles r ON r.oid = s.setrole"
        + "   WHERE s.setdatabase = d.oid)"
        + " FROM pg_database d WHERE datname = '" + db + "'");
  }
}
