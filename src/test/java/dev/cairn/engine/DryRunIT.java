package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.Damage;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restore --dry-run checks everything, exits 0 only if the restore would work, and never changes anything. */
class DryRunIT {
  private static final PgCluster PG = PgCluster.shared();
  private static String src;

  @TempDir Path repo;

  @BeforeAll
  static void source() {
    src = PG.newDatabase("dry");
    PG.psql(src, "CREATE EXTENSION pgcrypto; CREATE TABLE t (id int PRIMARY KEY, v text);"
        + " INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 3000) g;");
  }

  private String backup(String db) {
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo, "--chunk-size", "16k");
    assertEquals(0, b.code(), b.toString());
    return b.lastLine();
  }

  private static String databases(String like) {
    return PG.psql("postgres", "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database WHERE datname LIKE '"
        + like + "%'");
  }

  @Test
  void dryRunOnAGoodTargetPassesEveryCheckAndCreatesNothing() {
    String id = backup(src);
    String dst = src + "_dry";
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create", "--dry-run");
    assertEquals(0, r.code(), r.toString());
    for (String check : new String[] {"archive", "pg_restore", "target", "roles", "extensions", "free space"}) {
      assertTrue(r.out().lines().anyMatch(l -> l.startsWith("ok") && l.contains(check)), check + ":\n" + r.out());
    }
    assertTrue(r.out().contains("available: pgcrypto"), r.out());
    assertTrue(r.out().contains("create database " + dst) && r.out().contains("load 1 tables, 3000 rows"), r.out());
    assertTrue(r.out().contains("would work; nothing was changed"), r.out());
    assertEquals("", databases(dst), "the dry run created nothing");
  }

  @Test
  void dryRunIntoANonEmptyDatabaseWithoutCleanFailsAndLeavesItAsItWas() {
    String id = backup(src);
    String before = PG.schemaDump(src) + PG.psql(src, "SELECT count(*), sum(id) FROM t");
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(src), "--dry-run");
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL") && l.contains("target")
        && l.contains("is not empty")), r.out());
    assertTrue(r.err().contains("RESTORE_TARGET_NOT_EMPTY") && r.err().contains("--clean"), r.err());
    assertEquals(before, PG.schemaDump(src) + PG.psql(src, "SELECT count(*), sum(id) FROM t"));

    CairnCli.Run clean = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(src), "--clean", "--dry-run");
    assertEquals(0, clean.code(), clean.toString());
    assertTrue(clean.out().contains("drop database " + src + " and create it anew"), clean.out());
    assertEquals(before, PG.schemaDump(src) + PG.psql(src, "SELECT count(*), sum(id) FROM t"),
        "a dry run with --clean drops nothing");
  }

  @Test
  void dryRunNamesAMissingRoleAndWithGlobalsWouldCreateItWithoutCreatingIt() {
    String role = "dry_owner_" + Long.toHexString(System.nanoTime() & 0xffffff);
    PG.psql("postgres", "CREATE ROLE " + role + " NOLOGIN");
    String gone = PG.newDatabase("dry_gone");
    PG.psql(gone, "CREATE TABLE owned (id int); ALTER TABLE owned OWNER TO " + role + ";");
    String id = backup(gone);
    PG.dropDatabase(gone);
    PG.psql("postgres", "DROP ROLE " + role);

    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(gone), "--create", "--dry-run");
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL") && l.contains("roles") && l.contains(role)),
        r.out());
    assertTrue(r.err().contains("RESTORE_PRECONDITION") && r.err().contains(role), r.err());

    CairnCli.Run g = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(gone), "--create", "--globals",
        "--dry-run");
    assertEquals(0, g.code(), g.toString());
    assertTrue(g.out().contains("create roles " + role), g.out());
    assertEquals("", PG.psql("postgres", "SELECT rolname FROM pg_roles WHERE rolname = '" + role + "'"),
        "the dry run created no role");
    assertEquals("", databases(gone));
  }

  @Test
  void dryRunOfADamagedArchiveFailsAsCorrupt() throws Exception {
    String id = backup(src);
    Path copy = Files.createDirectories(repo.resolve("damaged"));
    Files.copy(repo.resolve(id + ".cairn"), copy.resolve(id + ".cairn"), StandardCopyOption.REPLACE_EXISTING);
    Damage.flipByteInChunk(copy.resolve(id + ".cairn"), "t", 0);
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", copy, "--db", PG.conninfo(src + "_bad"), "--create",
        "--dry-run");
    assertEquals(7, r.code(), r.toString());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL") && l.contains("archive")), r.out());
    assertEquals("", databases(src + "_bad"));
  }
}
