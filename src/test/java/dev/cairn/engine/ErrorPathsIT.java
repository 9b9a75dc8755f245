package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ChunkRef;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.Damage;
import dev.cairn.testkit.Mounts;
import dev.cairn.testkit.PgCluster;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure gives a precise message and a non-zero exit, publishes nothing and deletes nothing.
 * Exit codes: 2 usage, 3 database, 4 pg_dump/pg_restore, 5 repository, 6 not found, 7 corrupt, 8 restore target.
 */
class ErrorPathsIT {
  private static final PgCluster PG = PgCluster.shared();
  private static String db;

  @TempDir Path repo;

  @BeforeAll
  static void database() {
    db = PG.newDatabase("errors");
    PG.psql(db, "CREATE TABLE accounts (id int PRIMARY KEY, owner text);"
        + " INSERT INTO accounts SELECT g, 'owner ' || g FROM generate_series(1, 5000) g;"
        + " CREATE TABLE secret (id int); INSERT INTO secret VALUES (1);"
        + " REVOKE ALL ON secret FROM PUBLIC; GRANT SELECT ON accounts TO cairn_scram;");
  }

  private String goodBackup() {
    CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo, "--chunk-size", "16k");
    assertEquals(0, r.code(), r.toString());
    return r.lastLine();
  }

  /** Only complete archives, never partial files, and exactly the expected ones. */
  private void assertRepositoryHolds(List<String> ids) throws Exception {
    try (Stream<Path> s = Files.list(repo)) { // files: the catalog and the leases are directories
      List<String> names = s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(ids.stream().map(i -> i + ".cairn").sorted().toList(), names);
    }
  }

  @Test
  void unreachableServerIsReportedWithHostAndPort() throws Exception {
    CairnCli.Run r = CairnCli.run("backup", "--db", "postgresql://postgres@127.0.0.1:1/" + db, "--repo", repo);
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("DB_CONNECT") && r.err().contains("127.0.0.1:1"), r.err());
    assertRepositoryHolds(List.of());
  }

  @Test
  void wrongPasswordIsReportedWithoutThePassword() throws Exception {
    String url = "postgresql://cairn_scram:Wr0ngPassw0rd@127.0.0.1:" + PG.port() + "/" + db + "?sslmode=disable";
    CairnCli.Run r = CairnCli.run("backup", "--db", url, "--repo", repo);
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("DB_AUTH") && r.err().contains("password authentication failed"), r.err());
    assertFalse(r.err().contains("Wr0ngPassw0rd") || r.out().contains("Wr0ngPassw0rd"), "the password leaked");
    assertRepositoryHolds(List.of());
  }

  @Test
  void noSuitablePgDumpNamesTheVersionsFound() throws Exception {
    Path bin = Files.createTempDirectory("oldbin");
    Path fake = bin.resolve("pg_dump");
    Files.writeString(fake, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.22'\n");
    fake.toFile().setExecutable(true);
    CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo, "--pg-bin", bin);
    assertEquals(4, r.code(), r.toString());
    assertTrue(r.err().contains("PG_DUMP_VERSION") && r.err().contains("11.22") && r.err().contains("15"), r.err());
    assertRepositoryHolds(List.of());
    // the id was reserved beside the probe that failed: its lease is gone with the command
    Path locks = repo.resolve("locks");
    try (var leases = Files.exists(locks) ? Files.list(locks) : java.util.stream.Stream.<Path>empty()) {
      assertEquals(List.of(), leases.map(l -> l.getFileName().toString()).filter(n -> n.startsWith("write-")).toList());
    }
  }

  @Test
  void lockTimeoutNamesTheTableAndTheHolder() throws Exception {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://" + PG.host() + ":" + PG.port() + "/" + db, p);
        Statement st = c.createStatement()) {
      c.setAutoCommit(false);
      st.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
      CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo, "--lock-timeout", "1s");
      c.rollback();
      assertEquals(3, r.code(), r.toString());
      assertTrue(r.err().contains("LOCK_TIMEOUT") && r.err().contains("public.accounts")
          && r.err().contains("AccessExclusiveLock") && r.err().contains("1000 ms"), r.err());
    }
    assertRepositoryHolds(List.of());
  }

  @Test
  void permissionDeniedNamesTheTable() throws Exception {
    String url = "postgresql://cairn_scram:scram-secret@127.0.0.1:" + PG.port() + "/" + db + "?sslmode=disable";
    CairnCli.Run r = CairnCli.run("backup", "--db", url, "--repo", repo);
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("PERMISSION_DENIED") && r.err().contains("public.secret")
        && r.err().contains("pg_read_all_data"), r.err());
    assertRepositoryHolds(List.of());
  }

  @Test
  void readOnlyRepositoryIsRefusedBeforeConnecting() throws Exception {
    try (Mounts m = Mounts.tmpfs("ro,size=1m")) {
      CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", m.dir());
      assertEquals(5, r.code(), r.toString());
      assertTrue(r.err().contains("REPO_WRITE") && r.err().contains("not writable")
          && r.err().contains(m.dir().toString()), r.err());
    }
  }

  @Test
  void fullRepositoryFailsCleanlyAndKeepsTheGoodBackup() throws Exception {
    try (Mounts m = Mounts.tmpfs("size=256k")) {
      // A good, small backup first, then one that cannot fit.
      String small = PG.newDatabase("tiny");
      PG.psql(small, "CREATE TABLE t (i int); INSERT INTO t VALUES (1);");
      CairnCli.Run first = CairnCli.run("backup", "--db", PG.conninfo(small), "--repo", m.dir());
      assertEquals(0, first.code(), first.toString());
      String big = PG.newDatabase("big");
      PG.psql(big, "CREATE TABLE t AS SELECT g, md5(random()::text) || md5(random()::text) AS v"
          + " FROM generate_series(1, 100000) g");
      CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(big), "--repo", m.dir());
      assertEquals(5, r.code(), r.toString());
      assertTrue(r.err().contains("REPO_WRITE") && r.err().contains("No space left on device"), r.err());
      try (Stream<Path> s = Files.list(m.dir())) {
        assertEquals(List.of(first.lastLine() + ".cairn"), s.filter(Files::isRegularFile)
            .map(p -> p.getFileName().toString()).toList(),
            "the failed backup leaves nothing behind and the good one stays");
      }
      CairnCli.Run verify = CairnCli.run("verify", first.lastLine(), "--repo", m.dir());
      assertEquals(0, verify.code(), verify.toString());
    }
  }

  @Test
  void restoreIntoANonEmptyDatabaseIsRefused() throws Exception {
    String id = goodBackup();
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(db));
    assertEquals(8, r.code(), r.toString());
    assertTrue(r.err().contains("RESTORE_TARGET_NOT_EMPTY") && r.err().contains("database " + db + " is not empty"),
        r.err());
    assertEquals("5000", PG.psql(db, "SELECT count(*) FROM accounts").strip(), "the target is untouched");
  }

  @Test
  void truncatedArchiveIsDamagedForListVerifyAndRestore() throws Exception {
    String id = goodBackup();
    Path archive = repo.resolve(id + ".cairn");
    Path copy = repo.resolve("keep.bin");
    Files.copy(archive, copy, StandardCopyOption.REPLACE_EXISTING);
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      f.setLength(f.length() - 100);
    }
    CairnCli.Run verify = CairnCli.run("verify", id, "--repo", repo);
    assertEquals(7, verify.code(), verify.toString());
    assertTrue(verify.err().contains("ARCHIVE_CORRUPT"), verify.err());
    CairnCli.Run list = CairnCli.run("list", "--repo", repo);
    assertTrue(list.out().contains("damaged"), list.out());
    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(db + "_trunc"), "--create");
    assertEquals(7, restore.code(), restore.toString());
    Files.delete(copy);
  }

  @Test
  void flippedByteIsNamedByTableChunkAndOffsetInVerifyAndRestore() throws Exception {
    String id = goodBackup();
    Path archive = repo.resolve(id + ".cairn");
    ChunkRef target = Damage.flipByteInChunk(archive, "accounts", 1);
    CairnCli.Run verify = CairnCli.run("verify", id, "--repo", repo);
    assertEquals(7, verify.code(), verify.toString());
    assertTrue(verify.err().contains("table public.accounts chunk 2/")
        && verify.err().contains("byte offset " + target.offset()), verify.err());

    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(db + "_flip"), "--create");
    assertEquals(7, restore.code(), restore.toString());
    assertTrue(restore.err().contains("public.accounts chunk 2/"), restore.err());
    assertRepositoryHolds(List.of(id));
  }

  @Test
  void unknownAndMalformedIdsAreNotFound() throws Exception {
    String id = goodBackup();
    CairnCli.Run unknown = CairnCli.run("verify", db + "-20000101T000000Z", "--repo", repo);
    assertEquals(6, unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("BACKUP_NOT_FOUND"), unknown.err());
    for (String bad : List.of("../../etc/passwd", "x/../" + id, id + ".cairn", "")) {
      CairnCli.Run r = CairnCli.run("delete", bad, "--repo", repo, "--yes");
      assertEquals(6, r.code(), r.toString());
      assertTrue(r.err().contains("is not a backup id"), r.err());
    }
    assertRepositoryHolds(List.of(id));
  }

  @Test
  void rowLevelSecurityThatWouldHideRowsFailsInsteadOfCopyingPartially() throws Exception {
    String rls = PG.newDatabase("rls");
    PG.psql(rls, "CREATE TABLE docs (id int, tenant text); INSERT INTO docs VALUES (1, 'a'), (2, 'b');"
        + " ALTER TABLE docs ENABLE ROW LEVEL SECURITY; CREATE POLICY only_a ON docs USING (tenant = 'a');");
    String url = "postgresql://cairn_reader:reader-secret@127.0.0.1:" + PG.port() + "/" + rls + "?sslmode=disable";
    CairnCli.Run r = CairnCli.run("backup", "--db", url, "--repo", repo);
    assertEquals(3, r.code(), r.toString());
    assertTrue(r.err().contains("row-level security") && r.err().contains("docs") && r.err().contains("BYPASSRLS"),
        r.err());
    assertRepositoryHolds(List.of());
  }

  @Test
  void passwordNeverReachesPgDumpArgumentsTheManifestOrTheOutput() throws Exception {
    String secret = "reader-secret";
    String plain = PG.newDatabase("secrets");
    PG.psql(plain, "CREATE TABLE t (i int); INSERT INTO t VALUES (1);");
    // A pg_dump and a pg_dumpall that record their arguments and environment, then run the real ones.
    Path bin = Files.createTempDirectory("spybin");
    Path seen = bin.resolve("seen.txt");
    for (String tool : List.of("pg_dump", "pg_dumpall")) {
      Path spy = bin.resolve(tool);
      Files.writeString(spy, "#!/bin/sh\nif [ \"$1\" != --version ]; then echo \"" + tool + " ARGS: $*\" >> " + seen
          + "; echo \"PGPASSWORD=${PGPASSWORD:+set}\" >> " + seen + "; fi\nexec " + PG.binDir().resolve(tool)
          + " \"$@\"\n");
      spy.toFile().setExecutable(true);
    }
    String url = "postgresql://cairn_reader:" + secret + "@127.0.0.1:" + PG.port() + "/" + plain + "?sslmode=disable";
    CairnCli.Run r = CairnCli.run("backup", "--db", url, "--repo", repo, "--pg-bin", bin, "--verbose");
    assertEquals(0, r.code(), r.toString());
    String args = Files.readString(seen);
    assertTrue(args.contains("pg_dump ARGS: ") && args.contains("pg_dumpall ARGS: ")
        && !args.contains("PGPASSWORD=\n"), args);
    assertFalse(args.contains(secret), "password on pg_dump's or pg_dumpall's command line: " + args);
    assertFalse(r.out().contains(secret) || r.err().contains(secret), "password in cairn's output");
    byte[] archive = Files.readAllBytes(repo.resolve(r.lastLine() + ".cairn"));
    assertFalse(new String(archive, java.nio.charset.StandardCharsets.ISO_8859_1).contains(secret),
        "password inside the archive");
  }
}
