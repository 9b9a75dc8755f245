package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.OldArchive;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Roles and tablespaces travel with the backup: a restore into a fresh cluster with --globals brings the
 * owners, grantees, memberships and role settings; without it, a restore refuses up front and names them.
 */
class GlobalsIT {
  private static final PgCluster PG = PgCluster.shared();
  /** A second, fresh cluster: none of the source's roles exist there. */
  private static PgCluster fresh;
  private static final String SUFFIX = Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20, 1 << 24));
  private static final String OWNER = "g_owner_" + SUFFIX;
  private static final String USER = "g_user_" + SUFFIX;
  private static final String ROLES = "'" + OWNER + "', '" + USER + "'";
  private static String src;

  @TempDir Path repo;

  @BeforeAll
  static void source() {
    fresh = PgCluster.startNew();
    PG.psql("postgres", "CREATE ROLE " + OWNER + " NOLOGIN CONNECTION LIMIT 7;"
        + " CREATE ROLE " + USER + " LOGIN PASSWORD 'pw-" + SUFFIX + "';"
        + " GRANT " + OWNER + " TO " + USER + " WITH ADMIN OPTION;"
        + " ALTER ROLE " + USER + " SET work_mem = '8MB';");
    src = PG.newDatabase("globals");
    PG.psql(src, "CREATE SCHEMA app AUTHORIZATION " + OWNER + ";"
        + " CREATE TABLE app.items (id int PRIMARY KEY, v text); ALTER TABLE app.items OWNER TO " + OWNER + ";"
        + " INSERT INTO app.items SELECT g, 'v' || g FROM generate_series(1, 100) g;"
        + " GRANT USAGE ON SCHEMA app TO " + USER + "; GRANT SELECT, INSERT ON app.items TO " + USER + ";"
        + " GRANT UPDATE (v) ON app.items TO " + USER + ";"
        + " CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS 'SELECT 1';"
        + " ALTER FUNCTION app.f() OWNER TO " + USER + "; REVOKE EXECUTE ON FUNCTION app.f() FROM PUBLIC;"
        + " GRANT EXECUTE ON FUNCTION app.f() TO " + OWNER + ";"
        + " CREATE SEQUENCE app.s; ALTER SEQUENCE app.s OWNER TO " + OWNER + ";"
        + " GRANT USAGE ON SEQUENCE app.s TO " + USER + ";");
  }

  @AfterAll
  static void stop() {
    if (fresh != null) {
      fresh.close();
    }
  }

  private String backup(String conninfo) {
    CairnCli.Run b = CairnCli.run("backup", "--db", conninfo, "--repo", repo);
    assertEquals(0, b.code(), b.toString());
    return b.lastLine();
  }

  private static String roles(PgCluster c) {
    return c.psql("postgres", "SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin,"
        + " rolreplication, rolbypassrls, rolconnlimit, rolpassword FROM pg_authid WHERE rolname IN (" + ROLES + ")"
        + " ORDER BY 1;"
        + " SELECT r.rolname, m.rolname, a.admin_option FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid"
        + " JOIN pg_roles m ON m.oid = a.member WHERE r.rolname IN (" + ROLES + ") OR m.rolname IN (" + ROLES + ")"
        + " ORDER BY 1, 2;"
        + " SELECT r.rolname, s.setdatabase, s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole"
        + " WHERE r.rolname IN (" + ROLES + ") ORDER BY 1");
  }

  /** Owner and ACL of every object in schema app, and the column ACLs. */
  private static String ownershipAndGrants(PgCluster c, String db) {
    return c.psql(db, "SELECT 'schema', nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace"
        + "   WHERE nspname = 'app'"
        + " UNION ALL SELECT 'class', c.relname, c.relowner::regrole::text, c.relacl::text FROM pg_class c"
        + "   JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app'"
        + " UNION ALL SELECT 'proc', p.oid::regprocedure::text, p.proowner::regrole::text, p.proacl::text"
        + "   FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'app'"
        + " UNION ALL SELECT 'column', a.attrelid::regclass::text || '.' || a.attname, '', a.attacl::text"
        + "   FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        + "   WHERE n.nspname = 'app' AND a.attacl IS NOT NULL"
        + " ORDER BY 1, 2");
  }

  @Test
  void restoreWithGlobalsIntoAFreshClusterBringsRolesMembershipsSettingsOwnershipAndGrants() {
    String id = backup(PG.conninfo(src));
    Manifest m = BackupRestoreIT.manifest(repo.resolve(id + ".cairn"));
    assertNotNull(m.globals(), "the backup captures roles and tablespaces");
    assertTrue(m.globals().rolePasswords(), "a superuser reads pg_authid, so passwords are captured");
    assertEquals("", fresh.psql("postgres", "SELECT rolname FROM pg_roles WHERE rolname IN (" + ROLES + ")"),
        "the fresh cluster starts without the roles");

    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", fresh.conninfo("copy"), "--globals",
        "--create");
    assertEquals(0, r.code(), r.toString());

    String expected = roles(PG);
    assertTrue(expected.contains(OWNER + "|" + USER + "|t") && expected.contains("work_mem=8MB"), expected);
    assertEquals(expected, roles(fresh), "roles, memberships and role settings identical to the source");
    String grants = ownershipAndGrants(PG, src);
    assertTrue(grants.contains(USER + "=arw") || grants.contains(USER + "=ar"), grants);
    assertEquals(grants, ownershipAndGrants(fresh, "copy"), "owners and ACLs identical to the source");
    DbCompare.assertSameDatabase(PG, src, fresh, "copy");
  }

  @Test
  void restoreWithoutGlobalsRefusesUpFrontNamingEveryMissingRole() {
    String id = backup(PG.conninfo(src));
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", fresh.conninfo("refused"), "--create");
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.err().contains("RESTORE_PRECONDITION") && r.err().contains(OWNER) && r.err().contains(USER),
        r.err());
    assertTrue(r.err().contains("--globals") && r.err().contains("--no-owner --no-acl"), r.err());
    assertEquals("", fresh.psql("postgres", "SELECT datname FROM pg_database WHERE datname = 'refused'"),
        "nothing was created");

    CairnCli.Run noOwner = CairnCli.run("restore", id, "--repo", repo, "--db", fresh.conninfo("unowned"), "--create",
        "--no-owner", "--no-acl");
    assertEquals(0, noOwner.code(), noOwner.toString());
    assertEquals("postgres", fresh.psql("unowned", "SELECT relowner::regrole FROM pg_class WHERE relname = 'items'"));
  }

  @Test
  void aTablespaceWhoseDirectoryIsMissingOnTheTargetFailsUpFrontNamingIt() throws Exception {
    Path dir = Path.of("/tmp", "cairn-ts-" + SUFFIX);
    String ts = "g_ts_" + SUFFIX;
    mkdirForPostgres(dir);
    PG.psql("postgres", "CREATE TABLESPACE " + ts + " LOCATION '" + dir + "'");
    String id;
    try {
      id = backup(PG.conninfo(src));
    } finally {
      PG.psql("postgres", "DROP TABLESPACE " + ts);
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", fresh.conninfo("spaced"), "--create",
        "--globals");
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.err().contains("tablespace directory " + dir + " (tablespace " + ts + ")"), r.err());
    assertEquals("", fresh.psql("postgres", "SELECT spcname FROM pg_tablespace WHERE spcname = '" + ts + "'"
        + " UNION ALL SELECT datname FROM pg_database WHERE datname = 'spaced'"), "nothing was created");

    mkdirForPostgres(dir);
    try {
      CairnCli.Run again = CairnCli.run("restore", id, "--repo", repo, "--db", fresh.conninfo("spaced"), "--create",
          "--globals");
      assertEquals(0, again.code(), again.toString());
      assertEquals(dir.toString(), fresh.psql("postgres", "SELECT pg_tablespace_location(oid) FROM pg_tablespace"
          + " WHERE spcname = '" + ts + "'"));
    } finally {
      fresh.psql("postgres", "DROP TABLESPACE IF EXISTS " + ts);
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }

  @Test
  void withoutGlobalsATableInATablespaceTheTargetLacksFailsUpFrontNamingIt() throws Exception {
    Path dir = Path.of("/tmp", "cairn-ts2-" + SUFFIX);
    String ts = "g_ts2_" + SUFFIX;
    mkdirForPostgres(dir);
    PG.psql("postgres", "CREATE TABLESPACE " + ts + " LOCATION '" + dir + "'");
    String db = PG.newDatabase("spaced");
    try {
      PG.psql(db, "CREATE TABLE far (id int) TABLESPACE " + ts + "; INSERT INTO far VALUES (1);");
      String id = backup(PG.conninfo(db));
      CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", fresh.conninfo("far"), "--create",
          "--no-owner", "--no-acl");
      assertEquals(8, r.code(), r.toString());
      assertTrue(r.err().contains("tablespaces that do not exist") && r.err().contains(ts)
          && r.err().contains("--globals"), r.err());
      assertEquals("", fresh.psql("postgres", "SELECT datname FROM pg_database WHERE datname = 'far'"),
          "nothing was created");
    } finally {
      PG.dropDatabase(db);
      PG.psql("postgres", "DROP TABLESPACE " + ts);
      new ProcessBuilder("rm", "-rf", dir.toString()).start().waitFor();
    }
  }

  private static void mkdirForPostgres(Path dir) throws Exception {
    java.nio.file.Files.createDirectories(dir);
    if ("root".equals(System.getProperty("user.name"))) {
      assertEquals(0, new ProcessBuilder("chown", "postgres:postgres", dir.toString()).start().waitFor());
    }
  }

  @Test
  void aBackupByARoleThatCannotReadPgAuthidHasRolesWithoutPasswords() {
    String dumper = "g_dumper_" + SUFFIX;
    PG.psql("postgres", "CREATE ROLE " + dumper + " LOGIN NOSUPERUSER");
    String db = PG.newDatabase("unprivileged");
    PG.psql(db, "ALTER DATABASE " + db + " OWNER TO " + dumper + "; SET ROLE " + dumper + ";"
        + " CREATE TABLE t (id int); INSERT INTO t VALUES (1);");
    assertEquals("f", PG.psql(db, "SET ROLE " + dumper + "; SELECT has_table_privilege('pg_authid', 'SELECT')"));
    String id = backup("postgresql://" + dumper + "@127.0.0.1:" + PG.port() + "/" + db + "?sslmode=disable");
    Manifest m = BackupRestoreIT.manifest(repo.resolve(id + ".cairn"));
    assertNotNull(m.globals());
    assertFalse(m.globals().rolePasswords(), "taken with --no-role-passwords");
    CairnCli.Run show = CairnCli.run("show", id, "--repo", repo, "--json");
    assertTrue(show.out().contains("\"rolePasswords\" : false"), show.out());
  }

  @Test
  void anArchiveWithoutGlobalsRestoresAsBeforeAndRefusesGlobals() throws Exception {
    String id = backup(PG.conninfo(src));
    Path old = repo.resolve("old");
    java.nio.file.Files.createDirectories(old);
    OldArchive.withoutGlobals(repo.resolve(id + ".cairn"), old.resolve(id + ".cairn"));
    Manifest m = BackupRestoreIT.manifest(old.resolve(id + ".cairn"));
    assertNull(m.globals());
    assertEquals(0, CairnCli.run("verify", id, "--repo", old).code());

    String dst = src + "_old";
    CairnCli.Run plain = CairnCli.run("restore", id, "--repo", old, "--db", PG.conninfo(dst), "--create");
    assertEquals(0, plain.code(), plain.toString());
    assertEquals(ownershipAndGrants(PG, src), ownershipAndGrants(PG, dst));

    CairnCli.Run globals = CairnCli.run("restore", id, "--repo", old, "--db", fresh.conninfo("old_globals"),
        "--create", "--globals");
    assertEquals(2, globals.code(), globals.toString());
    assertTrue(globals.err().contains("backup " + id + " holds no roles or tablespaces"), globals.err());
    assertEquals("", fresh.psql("postgres", "SELECT datname FROM pg_database WHERE datname = 'old_globals'"));
  }
}
