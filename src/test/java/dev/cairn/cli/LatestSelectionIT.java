package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.testkit.CairnCli;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Repository;
import dev.cairn.testkit.PgCluster;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Regression (issue 9): "restore latest --db .../sales_copy --clean --yes" dropped sales_copy and filled it
 * with another database's backup. With backups of several names in the repository, "latest" needs the name;
 * confirmations say which backup goes where.
 */
class LatestSelectionIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final String PASSWORD = "pw-never-shown";

  @TempDir static Path dir;
  static Path repo;
  static String salesDb;
  static String otherDb;
  static String salesId;
  static String otherId;

  @BeforeAll
  static void twoNamesInOneRepository() {
    repo = dir.resolve("repo");
    salesDb = PG.newDatabase("sel_sales");
    PG.psql(salesDb, "CREATE TABLE orders AS SELECT g AS id FROM generate_series(1, 10) g;");
    otherDb = PG.newDatabase("sel_other");
    PG.psql(otherDb, "CREATE TABLE invoices AS SELECT g AS id FROM generate_series(1, 20) g;");
    salesId = backup(salesDb, "sales");
    otherId = backup(otherDb, "other"); // the newest in the repository
  }

  private static String backup(String db, String name) {
    CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo, "--name", name);
    assertEquals(0, r.code(), r.toString());
    return r.lastLine();
  }

  private static void refusedListingBothNames(CairnCli.Run r) {
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("cairn: USAGE: \"latest\" needs a backup name: " + repo.toAbsolutePath()
        + " holds backups of 2 names: other, sales"), r.err());
    assertTrue(r.err().contains("--database NAME"), r.err());
  }

  @Test
  void restoreOfLatestIsRefusedWhenTheRepositoryHoldsSeveralNames() {
    String target = PG.newDatabase("sel_target");
    PG.psql(target, "CREATE TABLE keep_me (id int);");
    refusedListingBothNames(CairnCli.run("restore", "latest", "--repo", repo, "--db", PG.conninfo(target),
        "--clean", "--yes"));
    assertEquals("1", PG.psql(target, "SELECT count(*) FROM pg_tables WHERE tablename = 'keep_me'"),
        "the target is untouched");
  }

  @Test
  void verifyAndShowOfLatestAreRefusedWhenTheRepositoryHoldsSeveralNames() {
    refusedListingBothNames(CairnCli.run("verify", "latest", "--repo", repo));
    refusedListingBothNames(CairnCli.run("show", "latest", "--repo", repo));
  }

  @Test
  void databasePicksTheNewestBackupOfThatName() {
    CairnCli.Run v = CairnCli.run("verify", "latest", "--repo", repo, "--database", "sales");
    assertEquals(0, v.code(), v.toString());
    assertTrue(v.out().startsWith("OK " + salesId + ":"), v.out());
    CairnCli.Run s = CairnCli.run("show", "latest", "--repo", repo, "--name", "other");
    assertEquals(0, s.code(), s.toString());
    assertTrue(s.out().startsWith("id:         " + otherId + "\n"), s.out());

    String target = "sel_restored_" + Long.toHexString(System.nanoTime());
    CairnCli.Run r = CairnCli.run("restore", "latest", "--repo", repo, "--database", "sales", "--db",
        PG.conninfo(target), "--create");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().startsWith("restored " + salesId + " into "), r.out());
    assertEquals("10", PG.psql(target, "SELECT count(*) FROM orders"));
  }

  @Test
  void anUnknownNameListsTheNamesThereAre() {
    CairnCli.Run r = CairnCli.run("verify", "latest", "--repo", repo, "--database", "sales_copy");
    assertEquals(6, r.code(), r.toString());
    assertTrue(r.err().contains("no backup named sales_copy in " + repo.toAbsolutePath()
        + " (its names: other, sales)"), r.err());
  }

  @Test
  void anIdOfAnotherNameThanTheOneGivenIsRefused() {
    CairnCli.Run r = CairnCli.run("verify", otherId, "--repo", repo, "--database", "sales");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("backup " + otherId + " is of other, not sales"), r.err());
  }

  @Test
  void withASingleNameLatestNeedsNoName() throws Exception {
    Path single = Files.createDirectories(dir.resolve("single"));
    Files.copy(repo.resolve(salesId + ".cairn"), single.resolve(salesId + ".cairn"));
    CairnCli.Run v = CairnCli.run("verify", "latest", "--repo", single);
    assertEquals(0, v.code(), v.toString());
    assertTrue(v.out().startsWith("OK " + salesId + ":"), v.out());
  }

  @Test
  void theCleanConfirmationNamesTheBackupItsDatabaseAndTimeAndTheTarget() {
    String target = PG.newDatabase("sel_clean");
    PG.psql(target, "CREATE TABLE keep_me (id int);");
    List<String> asked = new ArrayList<>();
    RestoreCommand cmd = new RestoreCommand();
    cmd.terminal = q -> {
      asked.add(q);
      return "not-the-name";
    };
    String url = PG.conninfo(target).replaceFirst("://([^@]+)@", "://$1:" + PASSWORD + "@");
    new CommandLine(cmd).parseArgs("latest", "--repo", repo.toString(), "--database", "sales", "--db", url,
        "--clean");
    CairnException e = assertThrows(CairnException.class, cmd::call);
    assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
    assertEquals(1, asked.size());
    String prompt = asked.get(0);
    assertTrue(prompt.startsWith("This drops database " + target + " on postgres@" + PG.host() + ":" + PG.port()
        + "/" + target + " and everything in it,\nthen restores backup " + salesId + " (database " + salesDb
        + ", finished 20"), prompt);
    assertTrue(prompt.endsWith(" into it.\nType " + target + " to go on: "), prompt);
    assertFalse(prompt.contains(PASSWORD), prompt);
    assertEquals("1", PG.psql(target, "SELECT count(*) FROM pg_tables WHERE tablename = 'keep_me'"));
  }

  @Test
  void theDeleteConfirmationNamesTheBackupItsDatabaseAndTime() {
    List<String> asked = new ArrayList<>();
    DeleteCommand cmd = new DeleteCommand();
    cmd.terminal = q -> {
      asked.add(q);
      return salesId.substring(1);
    };
    new CommandLine(cmd).parseArgs(salesId, "--repo", repo.toString());
    CairnException e = assertThrows(CairnException.class, cmd::call);
    assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
    assertEquals(1, asked.size());
    assertTrue(asked.get(0).matches("Delete backup " + salesId + " \\(database " + salesDb + ", finished "
        + "20\\d\\d-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ, [0-9.]+ (B|KiB|MiB)\\) from " + repo.toAbsolutePath()
        + "\\?\nType its id to confirm: "), asked.get(0));
    assertTrue(Files.exists(repo.resolve(salesId + ".cairn")), "nothing deleted");
  }

  /** Regression (issue 9): a backup taken with the clock 30 days ahead stayed "latest" for 30 days. */
  @Test
  void latestSkipsABackupDatedAheadOfThisHostsClock() throws Exception {
    Path skew = Files.createDirectories(dir.resolve("skew"));
    Files.copy(repo.resolve(salesId + ".cairn"), skew.resolve(salesId + ".cairn"));
    String newer = CairnCli.run("backup", "--db", PG.conninfo(salesDb), "--repo", skew, "--name", "sales").lastLine();
    assertTrue(newer.startsWith("sales-") && !newer.equals(salesId), newer);
    Instant older = Backups.read(Repository.open(skew), salesId).manifest().finished();

    VerifyCommand cmd = new VerifyCommand();
    // this host's clock as if set back: the newer backup is dated more than the tolerance after it
    cmd.clock = Clock.fixed(older.minus(Latest.CLOCK_SKEW_TOLERANCE), ZoneOffset.UTC);
    StringWriter out = new StringWriter();
    CommandLine cl = new CommandLine(cmd);
    cl.setOut(new PrintWriter(out, true));
    cl.parseArgs("latest", "--repo", skew.toString());
    assertEquals(0, cmd.call());
    assertTrue(out.toString().startsWith("OK " + salesId + ":"), out.toString());

    CairnCli.Run now = CairnCli.run("verify", "latest", "--repo", skew);
    assertTrue(now.out().startsWith("OK " + newer + ":"), now.toString());
  }
}
