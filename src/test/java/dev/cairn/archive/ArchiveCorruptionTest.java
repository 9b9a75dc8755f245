package dev.cairn.archive;

import dev.cairn.testkit.TestArchives;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveCorruptionTest {
  @TempDir Path dir;

  @Test
  void archiveTruncatedAtEveryPositionIsRejectedWithArchiveCorrupt() throws Exception {
    for (boolean compressedManifest : new boolean[] {false, true}) {
      CorruptArchive a = new CorruptArchive(dir, compressedManifest);
      Path damaged = dir.resolve("truncated.cairn");
      for (int n = 0; n < a.bytes.length; n++) {
        Files.write(damaged, Arrays.copyOf(a.bytes, n));
        assertEquals(List.of(-1), CorruptArchive.rejected(a, damaged), "truncated to " + n + " bytes");
      }
    }
  }

  @Test
  void everySingleByteFlipIsDetectedByOpenOrByReadingTheChunkThatHoldsIt() throws Exception {
    for (boolean compressedManifest : new boolean[] {false, true}) {
      CorruptArchive a = new CorruptArchive(dir, compressedManifest);
      Path damaged = dir.resolve("flipped.cairn");
      for (int pos = 0; pos < a.bytes.length; pos++) {
        for (int mask : new int[] {0x01, 0x80, 0xFF}) {
          byte[] b = a.bytes.clone();
          b[pos] ^= (byte) mask;
          Files.write(damaged, b);
          int chunk = a.chunkContaining(pos);
          assertEquals(List.of(chunk), CorruptArchive.rejected(a, damaged),
              "flip 0x" + Integer.toHexString(mask) + " at byte " + pos + " (data chunk " + chunk + ")");
        }
      }
    }
  }

  @Test
  void shortFileIsReportedAsTruncatedWithItsSize() throws Exception {
    Path file = Files.write(dir.resolve("x.cairn"), new byte[40]);
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(file));
    assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    assertEquals("archive " + file + " is truncated: 40 bytes, shorter than header, manifest chunk header and trailer"
        + " (72 bytes)", e.getMessage());
  }

  @Test
  void unfinishedArchiveIsReportedAsBadTrailerMagicWithAHint() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    Path file = Files.write(dir.resolve("x.cairn"), Arrays.copyOf(a.bytes, a.bytes.length - 1));
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(file));
    assertTrue(e.getMessage().startsWith("archive " + file + ": bad trailer magic at byte offset "
        + (a.bytes.length - 1 - 8)), e.getMessage());
    assertTrue(e.hint().contains("truncated"), e.hint());
  }

  @Test
  void bytesAppendedAfterTheTrailerAreRejected() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    byte[] longer = Arrays.copyOf(a.bytes, a.bytes.length + 36);
    System.arraycopy(a.bytes, a.bytes.length - 36, longer, a.bytes.length, 36); // even a second valid trailer
    Path file = Files.write(dir.resolve("x.cairn"), longer);
    assertEquals(List.of(-1), CorruptArchive.rejected(a, file));
  }

  @Test
  void newerFormatVersionIsRejectedWithAnUpgradeHint() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    byte[] b = a.bytes.clone();
    ByteBuffer bb = ByteBuffer.wrap(b);
    bb.putShort(8, (short) 3);
    bb.putInt(12, crc(b, 0, 12));
    Path file = Files.write(dir.resolve("x.cairn"), b);
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(file));
    assertEquals("archive " + file + ": header format version 3 at byte offset 8 is not supported (this version of"
        + " cairn reads versions 1 to 2)", e.getMessage());
    assertTrue(e.hint().contains("newer version"), e.hint());
  }

  @Test
  void unknownArchiveFlagIsRejected() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    byte[] b = a.bytes.clone();
    ByteBuffer bb = ByteBuffer.wrap(b);
    bb.putShort(10, (short) 4);
    bb.putInt(12, crc(b, 0, 12));
    Path file = Files.write(dir.resolve("x.cairn"), b);
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(file));
    assertTrue(e.getMessage().contains("unknown archive flags 0x0004 at byte offset 10"), e.getMessage());
  }

  @Test
  void encryptedChunkFlagIsRejectedByThisVersionWithAClearMessage() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    ChunkRef ref = a.refs.get(0);
    byte[] b = a.bytes.clone();
    ByteBuffer.wrap(b).putShort((int) ref.offset() + 6, (short) 1);
    Path file = Files.write(dir.resolve("x.cairn"), b);
    try (ArchiveReader r = TestArchives.open(file)) {
      CairnException e = assertThrows(CairnException.class, () -> r.chunkAt(ref.offset()));
      assertTrue(e.getMessage().contains("mark an encrypted chunk"), e.getMessage());
      ChunkRef flagged = new ChunkRef(ref.offset(), ref.storedLength(), ref.rawLength(), ref.crc32c(), ref.kind(),
          ref.codec(), 1);
      e = assertThrows(CairnException.class, () -> r.readChunk(flagged));
      assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
      assertTrue(e.getMessage().contains("mark an encrypted chunk"), e.getMessage());
    }
  }

  @Test
  void payloadFlipIsReportedAsCrcMismatchWithTheChunkOffset() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    ChunkRef ref = a.refs.get(0);
    byte[] b = a.bytes.clone();
    b[(int) ref.offset() + 30] ^= 1;
    Path file = Files.write(dir.resolve("x.cairn"), b);
    try (ArchiveReader r = TestArchives.open(file)) {
      CairnException e = assertThrows(CairnException.class, () -> r.readChunk(ref));
      assertTrue(e.getMessage().matches("archive " + file + ": chunk at byte offset " + ref.offset()
          + ": crc32c mismatch \\(expected 0x[0-9a-f]{8}, found 0x[0-9a-f]{8}\\)"), e.getMessage());
    }
  }

  @Test
  void chunkAtRejectsOffsetsOutsideTheChunkArea() throws Exception {
    CorruptArchive a = new CorruptArchive(dir, false);
    Path file = Files.write(dir.resolve("x.cairn"), a.bytes);
    try (ArchiveReader r = TestArchives.open(file)) {
      for (long off : new long[] {-1, 0, 15, r.size() - 36, Long.MAX_VALUE, a.refs.get(0).offset() + 1}) {
        CairnException e = assertThrows(CairnException.class, () -> r.chunkAt(off), "offset " + off);
        assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
      }
    }
  }

  private static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }
}
