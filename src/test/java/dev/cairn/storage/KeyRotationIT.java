package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.TestArchives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cairn key rotate}: new slots open every backup, old ones none, data bytes untouched, crash-safe. */
class KeyRotationIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final String OLD = "the old passphrase, long enough";
  private static final String NEW = "the new passphrase, long enough";
  private static final Keys OLD_KEYS = Keys.of(List.of(), List.of(OLD.getBytes(StandardCharsets.UTF_8)), List.of());
  private static final Keys NEW_KEYS = Keys.of(List.of(), List.of(NEW.getBytes(StandardCharsets.UTF_8)), List.of());
  private static final X25519.Identity VAULT = X25519.generate();

  @TempDir static Path dir;
  static String db;
  static Path oldFile;
  static Path newFile;
  static Path identityFile;
  static Path slots;
  /** Two backups encrypted for the old passphrase and one unencrypted, copied for each test. */
  static Path template;

  @BeforeAll
  static void setUp() throws Exception {
    db = PG.newDatabase("rotate");
    PG.psql(db, "CREATE TABLE a AS SELECT g AS id, 'row ' || g AS t FROM generate_series(1, 500) g;"
        + "CREATE TABLE b AS SELECT g AS id FROM generate_series(1, 50) g;");
    oldFile = Files.writeString(dir.resolve("old"), OLD + "\n");
    newFile = Files.writeString(dir.resolve("new"), NEW + "\n");
    identityFile = Files.writeString(dir.resolve("vault.id"), VAULT.encoded() + "\n");
    slots = Files.writeString(dir.resolve("slots.yaml"), "encryption:\n  keys:\n    - id: ops-2027\n"
        + "      passphrase: \"" + NEW + "\"\n    - id: dr-vault\n      recipient: " + VAULT.recipient() + "\n");
    template = dir.resolve("template");
    for (int i = 0; i < 2; i++) {
      CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", template, "--name", "r" + i,
          "--passphrase-file", oldFile);
      assertEquals(0, b.code(), b.toString());
    }
    CairnCli.Run plain = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", template, "--name", "plain");
    assertEquals(0, plain.code(), plain.toString());
  }

  /** A copy of the template repository (archives and catalog). */
  private static Path repoWithBackups(String name) throws java.io.IOException {
    Path repo = Files.createDirectory(dir.resolve(name));
    try (var files = Files.list(template)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, repo.resolve(f.getFileName()));
      }
    }
    return repo;
  }

  private static boolean opens(Path file, Keys k) {
    if (!Files.exists(file)) {
      return false;
    }
    try (ArchiveReader r = TestArchives.open(file, k)) {
      r.manifestJson();
      return true;
    } catch (CairnException e) {
      assertEquals(ErrorCode.ARCHIVE_KEY, e.code(), e.getMessage());
      return false;
    }
  }

  private static List<String> encryptedIds(Path repo) {
    return Repository.open(repo).ids().stream().filter(id -> !id.startsWith("plain")).sorted().toList();
  }

  @Test
  void afterRotationTheNewSlotsOpenEveryBackupTheOldNoneAndTheDataBytesAreUnchanged() throws Exception {
    Path repo = repoWithBackups("full");
    List<String> ids = encryptedIds(repo);
    byte[] before = Files.readAllBytes(repo.resolve(ids.get(0) + ".cairn"));
    long dataEnd;
    try (ArchiveReader r = TestArchives.open(repo.resolve(ids.get(0) + ".cairn"), OLD_KEYS)) {
      dataEnd = r.manifestRef().end();
    }
    CairnCli.Run rot = CairnCli.run("key", "rotate", "--repo", repo, "--to-slots", slots, "--passphrase-file", oldFile);
    assertEquals(0, rot.code(), rot.toString());
    assertTrue(rot.out().startsWith("rotated 2 backup(s) to the slots [ops-2027 (passphrase), dr-vault (recipient "),
        rot.out());
    assertTrue(rot.out().contains("1 unencrypted backup(s) left as they are"), rot.out());
    for (String id : ids) {
      Path f = repo.resolve(id + ".cairn");
      assertTrue(opens(f, NEW_KEYS), id);
      assertTrue(opens(f, Keys.of(List.of(), List.of(), List.of(VAULT))), id);
      assertTrue(!opens(f, OLD_KEYS), id + " still opens with the old passphrase");
    }
    byte[] after = Files.readAllBytes(repo.resolve(ids.get(0) + ".cairn"));
    assertArrayEquals(Arrays.copyOf(before, (int) dataEnd), Arrays.copyOf(after, (int) dataEnd),
        "chunks and manifest are copied, not re-encrypted");
    CairnCli.Run again = CairnCli.run("key", "rotate", "--repo", repo, "--to-slots", slots, "--passphrase-file",
        newFile);
    assertEquals(0, again.code(), again.toString());
    assertTrue(again.out().startsWith("rotated 0 backup(s)"), again.out());
    assertTrue(again.out().contains("2 already had them"), again.out());

    // the listing (catalog sizes were updated) and a single-table restore with the vault identity
    CairnCli.Run list = CairnCli.run("list", "--repo", repo);
    assertEquals(0, list.code(), list.toString());
    String dst = PG.newDatabase("rotated_one_table");
    CairnCli.Run r = CairnCli.run("restore", ids.get(1), "--repo", repo, "--db", PG.conninfo(dst), "--clean", "--yes",
        "--table", "public.a", "--identity", identityFile);
    assertEquals(0, r.code(), r.toString());
    assertEquals("500", PG.psql(dst, "SELECT count(*) FROM a"));
    assertEquals("0", PG.psql(dst, "SELECT count(*) FROM pg_tables WHERE tablename = 'b'"));
  }

  @Test
  void aRotationWithoutTheOldKeyChangesNothingAndSaysWhichBackupsItCannotOpen() throws Exception {
    Path repo = repoWithBackups("locked");
    CairnCli.Run rot = CairnCli.run("key", "rotate", "--repo", repo, "--to-slots", slots, "--passphrase-file", newFile);
    assertEquals(11, rot.code(), rot.toString());
    assertTrue(rot.err().contains("the given keys do not open 2 of 3 backups"), rot.err());
    assertTrue(rot.err().contains("nothing was changed"), rot.err());
    assertTrue(opens(repo.resolve(encryptedIds(repo).get(0) + ".cairn"), OLD_KEYS));
  }

  @Test
  void aRotationInterruptedAfterAnyStepLeavesEveryBackupOpenableAndARerunFinishesIt() throws Exception {
    Keys target = dev.cairn.config.ConfigLoader.loadEncryption(slots, java.util.Map.of()).toKeys();
    for (KeyRotation.Step crashAfter : KeyRotation.Step.values()) {
      Path repo = repoWithBackups("crash-" + crashAfter);
      List<String> ids = encryptedIds(repo);
      Repository r = Repository.open(repo).withKeys(OLD_KEYS);
      assertThrows(IllegalStateException.class, () -> new KeyRotation(r, target, (id, step) -> {
        if (step == crashAfter) {
          throw new IllegalStateException("crash after " + step + " of " + id);
        }
      }).run());
      for (String id : ids) {
        Path f = repo.resolve(id + ".cairn");
        Path copy = repo.resolve("rotate").resolve(id + ".cairn");
        assertTrue(opens(f, OLD_KEYS) || opens(f, NEW_KEYS) || opens(copy, NEW_KEYS),
            id + " opens with neither slot set after a crash after " + crashAfter);
      }
      KeyRotation.Result done = new KeyRotation(Repository.open(repo).withKeys(Keys.of(List.of(),
          List.of(OLD.getBytes(StandardCharsets.UTF_8), NEW.getBytes(StandardCharsets.UTF_8)), List.of())), target,
          (id, step) -> { }).run();
      assertEquals(crashAfter == KeyRotation.Step.DELETED ? 1 : 0, done.finished(), crashAfter.toString());
      for (String id : ids) {
        assertTrue(opens(repo.resolve(id + ".cairn"), NEW_KEYS), id + " after the rerun");
        assertTrue(!opens(repo.resolve(id + ".cairn"), OLD_KEYS), id + " after the rerun");
      }
      assertEquals(Optional.empty(), Repository.open(repo).storage().list(KeyRotation.DIR).stream().findAny(),
          "no copy is left behind");
    }
  }
}
