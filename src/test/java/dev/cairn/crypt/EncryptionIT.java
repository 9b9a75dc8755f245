package dev.cairn.crypt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveFormat;
import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.Fixtures;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.TestArchives;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fidelity fixture through an encrypted backup (a passphrase slot and a recipient slot), restored with
 * either key; the archive bytes against the plaintext of an unencrypted backup of the same database; the
 * CLI's key errors; and a format version 1 archive written by the previous writer, still restored.
 */
class EncryptionIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final String PASSPHRASE = "a passphrase that is long enough";
  /** Strings of the fixture that an unencrypted archive shows in its bytes. */
  private static final List<String> DISTINCTIVE = List.of("MixedCaseTable", "CamelCol", "types_zoo",
      "Weird Schema", "quote \" inside");

  @TempDir static Path dir;
  static Path repo;
  static Path plainRepo;
  static Path passFile;
  static Path identityFile;
  static String recipient;
  static String src;
  static String id;
  static String plainId;

  @BeforeAll
  static void backups() throws Exception {
    repo = dir.resolve("repo");
    plainRepo = dir.resolve("plain");
    passFile = Files.writeString(dir.resolve("pass"), PASSPHRASE + "\n");
    identityFile = dir.resolve("identity");
    CairnCli.Run gen = CairnCli.run("key", "generate", "--out", identityFile);
    assertEquals(0, gen.code(), gen.toString());
    recipient = gen.lastLine();
    src = Fixtures.fidelityCopy(PG);
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--jobs", 3,
        "--split-size", "512k", "--chunk-size", "256k", "--passphrase-file", passFile, "--recipient", recipient);
    assertEquals(0, b.code(), b.toString());
    id = b.lastLine();
    CairnCli.Run p = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", plainRepo);
    assertEquals(0, p.code(), p.toString());
    plainId = p.lastLine();
  }

  private static Path archive() {
    return repo.resolve(id + ".cairn");
  }

  @Test
  void keyGenerateWritesTheIdentityOwnerOnlyAndPrintsOnlyTheRecipient() throws Exception {
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(identityFile)));
    assertTrue(recipient.startsWith(X25519.RECIPIENT_PREFIX), recipient);
    String secret = Files.readString(identityFile);
    assertTrue(secret.contains(X25519.IDENTITY_PREFIX));
    CairnCli.Run again = CairnCli.run("key", "generate", "--out", identityFile);
    assertEquals(2, again.code(), "an existing key file is never overwritten: " + again);
  }

  @Test
  void restoreWithTheIdentityEqualsTheSourceAndTheStructureOpensWithoutAKey() {
    String dst = src + "_by_identity";
    CairnCli.Run r = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create", "--jobs", 3,
        "--identity", identityFile);
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("row counts match"), r.out());
    DbCompare.assertSameDatabase(PG, src, dst);
  }

  @Test
  void archiveBytesHoldNoneOfTheFixturesStringsThatAnUnencryptedArchiveShows() throws Exception {
    String sealed = new String(Files.readAllBytes(archive()), StandardCharsets.ISO_8859_1);
    String plain = new String(Files.readAllBytes(plainRepo.resolve(plainId + ".cairn")), StandardCharsets.ISO_8859_1);
    for (String s : DISTINCTIVE) {
      assertTrue(plain.contains(s), "control: the unencrypted archive shows " + s);
      assertFalse(sealed.contains(s), s + " is readable in the encrypted archive");
    }
    assertFalse(sealed.contains(src), "the database name is inside the encrypted manifest");
  }

  @Test
  void chunksNoLongerOpenWithTheLz4Tool() throws Exception {
    assertTrue(lz4Decodes(plainRepo.resolve(plainId + ".cairn"), Keys.NONE), "control: a plain chunk decodes");
    assertFalse(lz4Decodes(archive(), Keys.of(List.of(), List.of(PASSPHRASE.getBytes(StandardCharsets.UTF_8)),
        List.of())), "an encrypted chunk decodes with lz4");
  }

  /** Whether {@code lz4 -d} decodes the largest data chunk's stored payload. */
  private static boolean lz4Decodes(Path file, Keys keys) throws Exception {
    ChunkRef biggest;
    try (ArchiveReader r = TestArchives.open(file, keys)) {
      Manifest m = Manifest.parse(r.manifestJson(), r.name());
      biggest = m.tables().stream().flatMap(t -> t.parts().stream()).flatMap(p -> p.chunks().stream())
          .max((x, y) -> Integer.compare(x.rawLength(), y.rawLength())).orElseThrow();
    }
    assertEquals(ArchiveFormat.CODEC_LZ4_FRAME, biggest.codec());
    byte[] all = Files.readAllBytes(file);
    Path payload = Files.write(dir.resolve("payload.lz4"), Arrays.copyOfRange(all, (int) biggest.offset() + 20,
        (int) biggest.end()));
    Process p = new ProcessBuilder("lz4", "-d", "-c", payload.toString()).redirectOutput(ProcessBuilder.Redirect
        .DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.exitValue() == 0;
  }

  @Test
  void verifyWithAKeyChecksTheRowsAndWithoutOneTheStructureAndCrcs() {
    CairnCli.Run full = CairnCli.run("verify", id, "--repo", repo, "--passphrase-file", passFile);
    assertEquals(0, full.code(), full.toString());
    assertTrue(full.out().startsWith("OK " + id + ": "), full.out());
    assertTrue(full.out().contains(" rows, "), full.out());
    CairnCli.Run storage = CairnCli.run("verify", id, "--repo", repo);
    assertEquals(0, storage.code(), storage.toString());
    assertTrue(storage.out().startsWith("OK " + id + " (storage level: encrypted, no key given): "), storage.out());
  }

  @Test
  void showWithoutOrWithAWrongKeyNamesTheSlotsAndNeverPrintsAKey() throws Exception {
    CairnCli.Run none = CairnCli.run("show", id, "--repo", repo);
    assertEquals(11, none.code(), none.toString());
    assertTrue(none.err().contains("is encrypted for the key slots passphrase-1 (passphrase), recipient-"
        + recipient.substring(12, 20) + " (x25519 " + recipient.substring(0, 24) + "…); no key was given"), none.err());
    Path wrong = Files.writeString(dir.resolve("wrong"), "the wrong passphrase, long\n");
    CairnCli.Run bad = CairnCli.run("show", id, "--repo", repo, "--passphrase-file", wrong);
    assertEquals(11, bad.code(), bad.toString());
    assertTrue(bad.err().contains("none of the given keys (1 passphrase(s), 0 identities) opens any of them"),
        bad.err());
    assertFalse(bad.toString().contains("the wrong passphrase"), bad.toString());
    CairnCli.Run dry = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(src + "_never"), "--create",
        "--dry-run");
    assertEquals(11, dry.code(), dry.toString());
    CairnCli.Run good = CairnCli.run("show", id, "--repo", repo, "--identity", identityFile);
    assertEquals(0, good.code(), good.toString());
    assertTrue(good.out().contains("database:   " + src), good.out());
  }

  @Test
  void keyCheckTellsWhichSlotsOpenTheBackup() {
    CairnCli.Run c = CairnCli.run("key", "check", "--repo", repo, "--identity", identityFile);
    assertEquals(0, c.code(), c.toString());
    assertTrue(c.out().contains(id + ": slots passphrase-1 (passphrase), recipient-"), c.out());
    assertTrue(c.out().contains("; opens with recipient-" + recipient.substring(12, 20)), c.out());
    CairnCli.Run none = CairnCli.run("key", "check", "--repo", repo);
    assertEquals(11, none.code(), none.toString());
    assertTrue(none.out().contains("the given keys open none"), none.out());
  }

  @Test
  void aVersion1ArchiveWrittenByThePreviousWriterStillVerifiesAndRestores() throws Exception {
    Path old = dir.resolve("v1repo");
    Files.createDirectories(old);
    String v1 = "v1-20261202T001742Z";
    try (var in = EncryptionIT.class.getResourceAsStream("/archives/" + v1 + ".cairn")) {
      Files.copy(in, old.resolve(v1 + ".cairn"));
    }
    try (ArchiveReader r = TestArchives.open(old.resolve(v1 + ".cairn"))) {
      assertEquals(1, r.formatVersion());
      assertFalse(r.encrypted());
    }
    CairnCli.Run verify = CairnCli.run("verify", v1, "--repo", old);
    assertEquals(0, verify.code(), verify.toString());
    String dst = PG.newDatabase("from_v1");
    PG.dropDatabase(dst);
    CairnCli.Run r = CairnCli.run("restore", v1, "--repo", old, "--db", PG.conninfo(dst), "--create");
    assertEquals(0, r.code(), r.toString());
    assertEquals("300", PG.psql(dst, "SELECT count(*) FROM birds"));
    assertEquals("kestrel-300", PG.psql(dst, "SELECT name FROM birds WHERE id = 300"));
    assertEquals("written by format version 1", PG.psql(dst, "SELECT body FROM notes WHERE id = 1"));
    assertNotEquals(0, Files.size(old.resolve(v1 + ".cairn")));
  }
}
