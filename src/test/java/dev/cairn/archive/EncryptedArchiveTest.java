package dev.cairn.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.LocalStorage;
import dev.cairn.testkit.TestArchives;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedArchiveTest {
  @TempDir static Path dir;
  static SealedArchive a;
  static Path file;

  @BeforeAll
  static void write() {
    a = new SealedArchive(dir, "sealed.cairn");
    file = dir.resolve("sealed.cairn");
  }

  private static Path damaged(byte[] b) throws Exception {
    return Files.write(dir.resolve("damaged.cairn"), b);
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void eachSlotOpensTheArchiveAndEveryChunkReadsBack() {
    for (Keys k : List.of(SealedArchive.passphrase(), SealedArchive.identity())) {
      try (ArchiveReader r = TestArchives.open(file, k)) {
        assertEquals(2, r.formatVersion());
        assertTrue(r.encrypted() && r.readable());
        assertArrayEquals(a.manifest, r.manifestJson());
        for (int i = 0; i < a.refs.size(); i++) {
          assertArrayEquals(a.raws.get(i), r.readChunk(a.refs.get(i), a.aads.get(i)), "chunk " + i);
        }
      }
    }
  }

  @Test
  void chunksDecodeIntoOneReusedArrayLongerThanEach() {
    int longest = a.raws.stream().mapToInt(b -> b.length).max().orElseThrow();
    byte[] into = new byte[longest + 100];
    try (ArchiveReader r = TestArchives.open(file, SealedArchive.passphrase())) {
      for (int i = 0; i < a.refs.size(); i++) {
        java.util.Arrays.fill(into, (byte) 0x55);
        r.readChunk(a.refs.get(i), a.aads.get(i), into);
        assertArrayEquals(a.raws.get(i), java.util.Arrays.copyOf(into, a.raws.get(i).length), "chunk " + i);
      }
    }
  }

  @Test
  void archiveBytesHoldNoPlaintextAndNoLz4Frames() {
    String raw = text(a.bytes);
    for (String s : List.of("kestrel-unique-plaintext", "secret_table_name", "CREATE TABLE", "abcabcabc")) {
      assertFalse(raw.contains(s), s + " appears in the archive bytes");
    }
    for (ChunkRef ref : a.refs) {
      assertEquals(ArchiveFormat.CHUNK_FLAG_ENCRYPTED, ref.flags());
      int magic = Integer.reverseBytes(ByteBuffer.wrap(a.bytes).getInt((int) ref.offset() + 20));
      assertTrue(magic != 0x184D2204, "an lz4 frame is visible at " + ref.offset());
    }
    assertEquals(1, ByteBuffer.wrap(a.bytes).getShort(10), "the header announces encryption");
  }

  @Test
  void noKeyOpensTheStructureButNotTheContentsAndNamesTheSlots() {
    try (ArchiveReader r = TestArchives.open(file)) {
      assertFalse(r.readable());
      CairnException e = assertThrows(CairnException.class, r::manifestJson);
      assertEquals(ErrorCode.ARCHIVE_KEY, e.code());
      assertEquals("archive " + file + " is encrypted for the key slots ops (passphrase), vault (x25519 "
          + SealedArchive.IDENTITY.recipient().substring(0, 24) + "…); no key was given", e.getMessage());
      assertTrue(e.hint().contains("--passphrase-file"), e.hint());
      e = assertThrows(CairnException.class, () -> r.readChunk(a.refs.get(0), a.aads.get(0)));
      assertEquals(ErrorCode.ARCHIVE_KEY, e.code());
      Integrity.Report rep = Integrity.check(r);
      assertTrue(rep.ok(), rep.problems().toString());
      assertEquals(a.refs.size(), rep.chunks());
    }
  }

  @Test
  void wrongPassphraseAndWrongIdentityAreRefusedNamingTheSlotsAndNeverTheKey() {
    Keys wrongPass = Keys.of(List.of(), List.of("not the passphrase!".getBytes(StandardCharsets.UTF_8)), List.of());
    Keys wrongId = Keys.of(List.of(), List.of(), List.of(X25519.generate()));
    for (Keys k : List.of(wrongPass, wrongId)) {
      try (ArchiveReader r = TestArchives.open(file, k)) {
        CairnException e = assertThrows(CairnException.class, r::manifestJson);
        assertEquals(ErrorCode.ARCHIVE_KEY, e.code());
        assertTrue(e.getMessage().contains("is encrypted for the key slots ops (passphrase), vault (x25519"),
            e.getMessage());
        assertTrue(e.getMessage().contains("none of the given keys"), e.getMessage());
        assertFalse(e.getMessage().contains("not the passphrase"), e.getMessage());
      }
    }
  }

  @Test
  void aRemovedSlotFailsTheKeyBlockMac() throws Exception {
    byte[] b = rewriteKeyBlock(j -> j.getJsonArray("slots").remove(1));
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(damaged(b), SealedArchive.passphrase()));
    assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    assertTrue(e.getMessage().contains("the key block's MAC does not match: its slots or the file header were altered"),
        e.getMessage());
  }

  @Test
  void aSlotCopiedFromAnotherArchiveCannotBeInjected() throws Exception {
    SealedArchive other = new SealedArchive(dir, "other.cairn");
    JsonObject foreign = keyBlockJson(other.bytes).getJsonArray("slots").getJsonObject(0).copy().put("id", "intruder");
    byte[] b = rewriteKeyBlock(j -> j.getJsonArray("slots").add(foreign));
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(damaged(b), SealedArchive.passphrase()));
    assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code(), e.getMessage());
  }

  @Test
  void twoChunksOfOneTableSwappedFailAuthentication() {
    try (ArchiveReader r = TestArchives.open(file, SealedArchive.passphrase())) {
      // the manifest says chunk 1 is first: reading it there fails, as does a reordered stream
      CairnException e = assertThrows(CairnException.class, () -> r.readChunk(a.refs.get(1), a.aads.get(0)));
      assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
      assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
      assertThrows(CairnException.class, () -> r.readChunk(a.refs.get(0), a.aads.get(1)));
    }
  }

  @Test
  void aChunkMovedToAnotherTableOrBackupFailsAuthentication() {
    SealedArchive other = new SealedArchive(dir, "third.cairn");
    try (ArchiveReader r = TestArchives.open(file, SealedArchive.passphrase());
        ArchiveReader o = TestArchives.open(dir.resolve("third.cairn"), SealedArchive.passphrase())) {
      ChunkAad asTable1 = new ChunkAad(a.aads.get(0).stream(), 0, false);
      ChunkAad table2 = a.aads.get(2);
      CairnException e = assertThrows(CairnException.class,
          () -> r.readChunk(a.refs.get(2), new ChunkAad(asTable1.stream(), table2.index(), table2.last())));
      assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
      // the same place in another backup: other keys, other archive id
      assertArrayEquals(other.raws.get(0), o.readChunk(other.refs.get(0), other.aads.get(0)));
      byte[] spliced = a.bytes.clone();
      ChunkRef mine = a.refs.get(0);
      ChunkRef theirs = other.refs.get(0);
      assertEquals(mine.offset(), theirs.offset());
      System.arraycopy(other.bytes, (int) theirs.offset(), spliced, (int) mine.offset(), (int) (theirs.end()
          - theirs.offset()));
      assertEquals(mine.storedLength(), theirs.storedLength(), "same shape, so only the cipher can tell");
      Path p = Files.write(dir.resolve("spliced.cairn"), spliced);
      try (ArchiveReader s = TestArchives.open(p, SealedArchive.passphrase())) {
        ChunkRef asRef = new ChunkRef(mine.offset(), theirs.storedLength(), theirs.rawLength(), theirs.crc32c(),
            theirs.kind(), theirs.codec(), theirs.flags());
        e = assertThrows(CairnException.class, () -> s.readChunk(asRef, a.aads.get(0)));
        assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aStreamCutBeforeItsLastChunkFailsAuthentication() {
    try (ArchiveReader r = TestArchives.open(file, SealedArchive.passphrase())) {
      // a manifest listing only the first chunk would make it the last one
      CairnException e = assertThrows(CairnException.class,
          () -> r.readChunk(a.refs.get(0), ChunkAad.of(a.aads.get(0).stream(), a.refs.subList(0, 1), 0)));
      assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
    }
  }

  @Test
  void flippedCiphertextTagAndManifestBytesFailAuthenticationEvenWithTheirCrcFixed() throws Exception {
    ChunkRef c = a.refs.get(0);
    int[] positions = {(int) c.offset() + 20 + 12 + 5, (int) c.end() - 3, (int) a.manifestRef.offset() + 20 + 30,
        (int) a.manifestRef.end() - 1};
    for (int pos : positions) {
      byte[] b = a.bytes.clone();
      b[pos] ^= 0x40;
      ChunkRef hit = pos < a.manifestRef.offset() ? c : a.manifestRef;
      SealedArchive.fixCrc(b, hit);
      if (hit == a.manifestRef) { // the trailer repeats the manifest's crc
        ByteBuffer bb = ByteBuffer.wrap(b);
        int t = b.length - 36;
        bb.putInt(t + 16, bb.getInt((int) hit.offset() + 16));
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b, t, 24);
        bb.putInt(t + 24, (int) crc.getValue());
      }
      assertEquals(List.of(hit == c ? 0 : -1), a.rejected(damaged(b)), "byte " + pos);
      if (hit == c) {
        try (ArchiveReader r = TestArchives.open(damaged(b), SealedArchive.passphrase())) {
          ChunkRef asFixed = r.chunkAt(c.offset()); // the header's crc, as recomputed
          CairnException e = assertThrows(CairnException.class, () -> r.readChunk(asFixed, a.aads.get(0)));
          assertEquals("archive " + dir.resolve("damaged.cairn") + ": chunk at byte offset " + c.offset()
              + ": authentication failed (the ciphertext or its tag was changed, or the chunk belongs to another"
              + " place, table or backup)", e.getMessage());
        }
      }
    }
  }

  @Test
  void aFlippedHeaderByteIsRejectedAtOpenEvenWithTheHeaderCrcFixed() throws Exception {
    byte[] b = a.bytes.clone();
    b[11] ^= 0x02; // an unknown archive flag
    assertEquals(List.of(-1), a.rejected(damaged(b)));
    // the version changed with the header crc fixed: version 1 knows no archive flags
    byte[] fixed = a.bytes.clone();
    fixed[9] ^= 0x03; // version 2 -> 1
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(fixed, 0, 12);
    ByteBuffer.wrap(fixed).putInt(12, (int) crc.getValue());
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(damaged(fixed)));
    assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    assertTrue(e.getMessage().contains("header has unknown archive flags 0x0001 at byte offset 10"), e.getMessage());
  }

  @Test
  void truncatedArchivesAreRejectedAtOpen() throws Exception {
    for (int cut : new int[] {1, 36, 37, 200, a.bytes.length - 16}) {
      byte[] b = java.util.Arrays.copyOf(a.bytes, a.bytes.length - cut);
      assertEquals(List.of(-1), a.rejected(damaged(b)), "cut " + cut);
    }
  }

  @Test
  void storageLevelCheckFindsAFlippedPayloadByteWithoutAKey() throws Exception {
    byte[] b = a.bytes.clone();
    ChunkRef c = a.refs.get(2);
    b[(int) c.offset() + 25] ^= 1;
    try (ArchiveReader r = TestArchives.open(damaged(b))) {
      Integrity.Report rep = Integrity.check(r);
      assertEquals(1, rep.problems().size(), rep.problems().toString());
      assertTrue(rep.problems().get(0).contains("chunk at byte offset " + c.offset() + ": crc32c mismatch"),
          rep.problems().toString());
    }
  }

  @Test
  void unencryptedChunkInAnEncryptedArchiveIsRejected() throws Exception {
    byte[] b = a.bytes.clone();
    ChunkRef c = a.refs.get(3);
    ByteBuffer.wrap(b).putShort((int) c.offset() + 6, (short) 0);
    try (ArchiveReader r = TestArchives.open(damaged(b), SealedArchive.passphrase())) {
      CairnException e = assertThrows(CairnException.class, () -> r.chunkAt(c.offset()));
      assertTrue(e.getMessage().contains("mark a plaintext chunk in an encrypted archive"), e.getMessage());
    }
  }

  private static JsonObject keyBlockJson(byte[] archive) {
    int t = archive.length - 36;
    long m = ByteBuffer.wrap(archive).getLong(t);
    long l = ByteBuffer.wrap(archive).getLong(t + 8);
    int k = (int) (m + l);
    int len = ByteBuffer.wrap(archive).getInt(k + 8);
    return new JsonObject(new String(archive, k + 20, len - 32, StandardCharsets.UTF_8));
  }

  /** The archive with its key block's JSON changed (MAC kept), CRCs and lengths fixed: only the MAC can tell. */
  private static byte[] rewriteKeyBlock(java.util.function.Consumer<JsonObject> change) {
    byte[] b = a.bytes;
    int t = b.length - 36;
    ByteBuffer bb = ByteBuffer.wrap(b);
    int k = (int) (bb.getLong(t) + bb.getLong(t + 8));
    int len = bb.getInt(k + 8);
    byte[] mac = java.util.Arrays.copyOfRange(b, k + 20 + len - 32, k + 20 + len);
    JsonObject j = keyBlockJson(b);
    change.accept(j);
    byte[] json = j.encode().getBytes(StandardCharsets.UTF_8);
    byte[] payload = ByteBuffer.allocate(json.length + 32).put(json).put(mac).array();
    ByteBuffer out = ByteBuffer.allocate(k + 20 + payload.length + 36);
    out.put(b, 0, k);
    ByteBuffer chunk = ByteBuffer.allocate(20 + payload.length);
    ArchiveWriter.putKeysChunk(chunk, 0, payload);
    out.put(chunk.array());
    out.put(b, t, 36);
    return out.array();
  }
}
