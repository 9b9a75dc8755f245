package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Repository;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.Damage;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn copy}: a checked, byte-identical copy between repositories, by directory or by configured name. */
class CopyCommandIT {
  private static final PgCluster PG = PgCluster.shared();
  @TempDir static Path shared;
  private static Path source;
  private static String id;
  private static String db;

  @TempDir Path dir;

  @BeforeAll
  static void backup() {
    db = PG.newDatabase("copycli");
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g;");
    source = shared.resolve("source");
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", source, "--progress", "none");
    assertEquals(0, b.code(), b.toString());
    id = b.lastLine();
  }

  private static String archive(String backup) {
    return backup + Repository.SUFFIX;
  }

  @Test
  void copyWritesAByteIdenticalCheckedBackupListedAsVerified() throws Exception {
    Path target = dir.resolve("offsite");
    CairnCli.Run c = CairnCli.run("copy", "latest", "--from", source, "--to", target, "--progress", "plain");
    assertEquals(0, c.code(), c.toString());
    assertTrue(c.lastLine().startsWith("copied " + id + " to " + target + ": "), c.out());
    assertTrue(c.lastLine().contains(", verified (1 tables, 20000 rows)"), c.out());
    assertTrue(c.err().contains("copy: copying") && c.err().contains("copy: reading"), c.err());
    assertArrayEquals(Files.readAllBytes(source.resolve(archive(id))), Files.readAllBytes(target.resolve(archive(id))));
    CairnCli.Run list = CairnCli.run("list", "--repo", target);
    assertEquals(0, list.code(), list.toString());
    assertTrue(list.out().contains(id) && list.out().contains("verified"), list.out());
  }

  @Test
  void copyRefusesATargetThatAlreadyHasTheBackup() {
    Path target = dir.resolve("offsite");
    assertEquals(0, CairnCli.run("copy", id, "--from", source, "--to", target, "--progress", "none").code());
    CairnCli.Run again = CairnCli.run("copy", id, "--from", source, "--to", target, "--progress", "none");
    assertEquals(ErrorCode.BACKUP_EXISTS.exitCode(), again.code(), again.toString());
    assertTrue(again.err().contains("backup " + id + " already exists in " + target + "; not copied"), again.err());
  }

  @Test
  void copyRefusesATargetHoldingADifferentBackupUnderTheSameIdAndReplacesNeither() throws Exception {
    Path other = dir.resolve("other");
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", other, "--progress", "none");
    assertEquals(0, b.code(), b.toString());
    Path target = dir.resolve("offsite");
    Files.createDirectories(target);
    // another backup under this id: what retention freeing the id in the source and a new backup reusing it made
    Files.copy(other.resolve(archive(b.lastLine())), target.resolve(archive(id)));
    byte[] before = Files.readAllBytes(target.resolve(archive(id)));
    CairnCli.Run c = CairnCli.run("copy", id, "--from", source, "--to", target, "--progress", "none");
    assertEquals(ErrorCode.BACKUP_ID_CONFLICT.exitCode(), c.code(), c.toString());
    assertTrue(c.err().contains("backup " + id + " in " + target + " is a different backup"), c.err());
    assertTrue(c.err().contains("neither is replaced"), c.err());
    assertArrayEquals(before, Files.readAllBytes(target.resolve(archive(id))));
  }

  @Test
  void aDamagedSourceIsCaughtByTheCheckAndNothingIsListedInTheTarget() throws Exception {
    Path damaged = dir.resolve("damaged");
    Files.createDirectories(damaged);
    Files.copy(source.resolve(archive(id)), damaged.resolve(archive(id)));
    Damage.flipByteInChunk(damaged.resolve(archive(id)), "t", 0);
    Path target = dir.resolve("offsite");
    CairnCli.Run c = CairnCli.run("copy", id, "--from", damaged, "--to", target, "--progress", "none");
    assertEquals(ErrorCode.ARCHIVE_CORRUPT.exitCode(), c.code(), c.toString());
    assertTrue(c.err().contains("the copy of " + id + " in " + target + " is damaged"), c.err());
    try (Stream<Path> s = Files.walk(target)) {
      assertFalse(s.anyMatch(p -> p.getFileName().toString().endsWith(Repository.SUFFIX)),
          "no archive is left in the target, published or not");
    }
  }

  @Test
  void copyBetweenConfiguredRepositoriesByName() throws Exception {
    Path offsite = dir.resolve("offsite");
    Path config = Files.writeString(dir.resolve("cairn.yaml"), "repositories:\n  - name: local\n    path: " + source
        + "\n  - name: offsite\n    path: " + offsite + "\ndatabases:\n  - name: app\n    url: host=localhost\n"
        + "    schedule: \"@daily\"\n");
    CairnCli.Run c = CairnCli.run("copy", id, "--config", config, "--from", "local", "--to", "offsite", "--progress",
        "none");
    assertEquals(0, c.code(), c.toString());
    assertTrue(Files.exists(offsite.resolve(archive(id))));
    assertTrue(Files.readString(offsite.resolve("copies/" + id + ".json")).contains("\"from\":\"local\""));
    CairnCli.Run unknown = CairnCli.run("copy", id, "--config", config, "--from", "local", "--to", "elsewhere");
    assertEquals(ErrorCode.USAGE.exitCode(), unknown.code(), unknown.toString());
    assertTrue(unknown.err().contains("no repository named elsewhere in the configuration"), unknown.err());
  }
}
