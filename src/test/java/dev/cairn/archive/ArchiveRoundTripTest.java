package dev.cairn.archive;

import dev.cairn.testkit.TestArchives;
import static dev.cairn.archive.ArchiveFormat.CHUNK_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.CODEC_LZ4_FRAME;
import static dev.cairn.archive.ArchiveFormat.CODEC_NONE;
import static dev.cairn.archive.ArchiveFormat.FILE_HEADER_SIZE;
import static dev.cairn.archive.ArchiveFormat.KIND_DATA;
import static dev.cairn.archive.ArchiveFormat.KIND_MANIFEST;
import static dev.cairn.archive.ArchiveFormat.KIND_SCHEMA;
import static dev.cairn.archive.ArchiveFormat.TRAILER_SIZE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveRoundTripTest {
  @TempDir Path dir;

  record Written(ChunkRef ref, byte[] raw) {}

  @Test
  void chunksWrittenConcurrentlyFromSeveralThreadsReadBackIdenticalAndContiguous() throws Exception {
    Path file = dir.resolve("x.cairn");
    List<Written> written = Collections.synchronizedList(new ArrayList<>());
    try (ArchiveWriter w = TestArchives.create(file)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 40; i++) {
            long seed = thread * 1000L + i;
            int size = (int) (seed * 7919 % 300_000);
            byte[] raw = switch (i % 4) {
              case 0 -> TestData.copyText(size, seed);
              case 1 -> TestData.random(size, seed);
              case 2 -> new byte[0];
              default -> TestData.copyText(size + 700_000, seed);
            };
            // write from the middle of a larger buffer to exercise off/len
            byte[] padded = new byte[raw.length + 10];
            System.arraycopy(raw, 0, padded, 5, raw.length);
            int kind = i % 5 == 0 ? KIND_SCHEMA : KIND_DATA;
            written.add(new Written(w.writeChunk(kind, padded, 5, raw.length), raw));
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      JsonArray refs = new JsonArray();
      written.forEach(x -> refs.add(x.ref().toJson()));
      byte[] manifest = new JsonObject().put("chunks", refs).encode().getBytes(StandardCharsets.UTF_8);
      ChunkRef m = w.finish(manifest);
      assertEquals(Files.size(file), w.bytesWritten());
      assertEquals(Files.size(file), m.end() + TRAILER_SIZE);
    }

    try (ArchiveReader r = TestArchives.open(file)) {
      JsonArray refs = new JsonObject(new String(r.manifestJson(), StandardCharsets.UTF_8)).getJsonArray("chunks");
      assertEquals(160, refs.size());
      for (int i = 0; i < refs.size(); i++) {
        ChunkRef ref = ChunkRef.fromJson(refs.getJsonObject(i));
        assertEquals(written.get(i).ref(), ref);
        assertArrayEquals(written.get(i).raw(), r.readChunk(ref), "chunk " + i);
      }
      // the chunks tile [16, manifest offset) with no gap, and a walk without refs finds them all
      List<ChunkRef> sorted = new ArrayList<>(written.stream().map(Written::ref).toList());
      sorted.sort(Comparator.comparingLong(ChunkRef::offset));
      long at = FILE_HEADER_SIZE;
      for (ChunkRef ref : sorted) {
        assertEquals(at, ref.offset());
        assertEquals(ref, r.chunkAt(at));
        at = ref.end();
      }
      assertEquals(r.manifestRef().offset(), at);
    }
  }

  @Test
  void chunksAreReadableConcurrentlyFromSeveralThreads() throws Exception {
    Path file = dir.resolve("x.cairn");
    List<Written> written = new ArrayList<>();
    try (ArchiveWriter w = TestArchives.create(file)) {
      for (int i = 0; i < 20; i++) {
        byte[] raw = TestData.copyText(100_000 + i, i);
        written.add(new Written(w.writeChunk(KIND_DATA, raw, 0, raw.length), raw));
      }
      w.finish(new byte[0]);
    }
    try (ArchiveReader r = TestArchives.open(file)) {
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(pool.submit(() -> {
          for (int round = 0; round < 5; round++) {
            for (Written x : written) {
              assertArrayEquals(x.raw(), r.readChunk(x.ref()));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
    }
  }

  @Test
  void emptyChunkIsStoredUncompressedAndReadsBackEmpty() {
    Path file = dir.resolve("x.cairn");
    ChunkRef ref;
    try (ArchiveWriter w = TestArchives.create(file)) {
      ref = w.writeChunk(KIND_DATA, new byte[0], 0, 0);
      w.finish(new byte[0]);
    }
    assertEquals(new ChunkRef(FILE_HEADER_SIZE, 0, 0, 0, KIND_DATA, CODEC_NONE, 0), ref);
    try (ArchiveReader r = TestArchives.open(file)) {
      assertEquals(0, r.readChunk(ref).length);
      assertEquals(0, r.manifestJson().length);
    }
  }

  @Test
  void randomBytesAreStoredUncompressedWithStoredEqualToRaw() {
    Path file = dir.resolve("x.cairn");
    byte[] raw = TestData.random(5_000_000, 1);
    ChunkRef ref;
    try (ArchiveWriter w = TestArchives.create(file)) {
      ref = w.writeChunk(KIND_DATA, raw, 0, raw.length);
      w.finish(new byte[0]);
    }
    assertEquals(CODEC_NONE, ref.codec());
    assertEquals(raw.length, ref.storedLength());
    try (ArchiveReader r = TestArchives.open(file)) {
      assertArrayEquals(raw, r.readChunk(ref));
    }
  }

  @Test
  void compressibleChunkIsStoredAsLz4FrameAndShrinks() {
    Path file = dir.resolve("x.cairn");
    byte[] zeros = new byte[ArchiveFormat.MAX_CHUNK_RAW_LENGTH];
    byte[] text = TestData.copyText(4 << 20, 2);
    ChunkRef z;
    ChunkRef t;
    try (ArchiveWriter w = TestArchives.create(file)) {
      z = w.writeChunk(KIND_DATA, zeros, 0, zeros.length);
      t = w.writeChunk(KIND_DATA, text, 0, text.length);
      w.finish(new byte[0]);
    }
    assertEquals(CODEC_LZ4_FRAME, z.codec());
    assertTrue(z.storedLength() < 100_000, "8 MiB of zeros stored in " + z.storedLength());
    assertEquals(CODEC_LZ4_FRAME, t.codec());
    assertTrue(t.storedLength() < text.length * 2 / 3, "text stored in " + t.storedLength());
    try (ArchiveReader r = TestArchives.open(file)) {
      assertArrayEquals(zeros, r.readChunk(z));
      assertArrayEquals(text, r.readChunk(t));
    }
  }

  @Test
  void chunksOfEitherCodecDecodeIntoAReusedLongerArrayAndATooShortOneIsRefused() {
    Path file = dir.resolve("x.cairn");
    byte[] text = TestData.copyText(1 << 20, 3);
    byte[] random = new byte[70_000];
    new java.util.Random(7).nextBytes(random);
    List<Written> written = new ArrayList<>();
    try (ArchiveWriter w = TestArchives.create(file)) {
      written.add(new Written(w.writeChunk(KIND_DATA, text, 0, text.length), text));
      written.add(new Written(w.writeChunk(KIND_DATA, random, 0, random.length), random));
      w.finish(new byte[0]);
    }
    assertEquals(CODEC_LZ4_FRAME, written.get(0).ref().codec());
    assertEquals(CODEC_NONE, written.get(1).ref().codec());
    byte[] into = new byte[text.length + 1];
    try (ArchiveReader r = TestArchives.open(file)) {
      for (Written c : written) {
        java.util.Arrays.fill(into, (byte) 0x55);
        r.readChunk(c.ref(), ChunkAad.NONE, into);
        assertArrayEquals(c.raw(), java.util.Arrays.copyOf(into, c.raw().length));
      }
      CairnException e = assertThrows(CairnException.class,
          () -> r.readChunk(written.get(0).ref(), ChunkAad.NONE, new byte[text.length - 1]));
      assertEquals(ErrorCode.INTERNAL, e.code());
      assertTrue(e.getMessage().contains(text.length + " bytes, more than the " + (text.length - 1)), e.getMessage());
    }
  }

  @Test
  void manifestRoundTripsAndIsCompressedWhenThatShrinksIt() {
    Path small = dir.resolve("small.cairn");
    Path large = dir.resolve("large.cairn");
    byte[] tiny = "{}".getBytes(StandardCharsets.UTF_8);
    byte[] big = TestData.copyText(12 << 20, 3); // larger than a data chunk may be
    ChunkRef tinyRef;
    ChunkRef bigRef;
    try (ArchiveWriter w = TestArchives.create(small)) {
      tinyRef = w.finish(tiny);
    }
    try (ArchiveWriter w = TestArchives.create(large)) {
      bigRef = w.finish(big);
    }
    assertEquals(new ChunkRef(FILE_HEADER_SIZE, 2, 2, crc(tiny), KIND_MANIFEST, CODEC_NONE, 0), tinyRef);
    assertEquals(CODEC_LZ4_FRAME, bigRef.codec());
    try (ArchiveReader r = TestArchives.open(small)) {
      assertArrayEquals(tiny, r.manifestJson());
      assertEquals(tinyRef, r.manifestRef());
      assertArrayEquals(tiny, r.readChunk(tinyRef));
    }
    try (ArchiveReader r = TestArchives.open(large)) {
      assertArrayEquals(big, r.manifestJson());
      assertEquals(bigRef, r.manifestRef());
    }
  }

  @Test
  void headerAndTrailerHaveTheDocumentedBytes() throws Exception {
    Path file = dir.resolve("x.cairn");
    byte[] raw = TestData.copyText(1000, 4);
    ChunkRef ref;
    ChunkRef m;
    try (ArchiveWriter w = TestArchives.create(file)) {
      ref = w.writeChunk(KIND_SCHEMA, raw, 0, raw.length);
      m = w.finish("{\"v\":1}".getBytes(StandardCharsets.UTF_8));
    }
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file));
    assertEquals("CAIRNARC", ascii(b, 0, 8));
    assertEquals(2, b.getShort(8));
    assertEquals(0, b.getShort(10));
    assertEquals(crc(b.array(), 0, 12), b.getInt(12));

    assertEquals("CHNK", ascii(b, 16, 4));
    assertEquals(KIND_SCHEMA, b.get(20));
    assertEquals(CODEC_LZ4_FRAME, b.get(21));
    assertEquals(0, b.getShort(22));
    assertEquals(ref.storedLength(), b.getInt(24));
    assertEquals(raw.length, b.getInt(28));
    assertEquals(crc(b.array(), 36, ref.storedLength()), b.getInt(32));
    assertEquals(0x184D2204, Integer.reverseBytes(b.getInt(36)), "payload starts with the lz4 frame magic");

    int t = b.capacity() - TRAILER_SIZE;
    assertEquals(m.offset(), b.getLong(t));
    assertEquals(CHUNK_HEADER_SIZE + m.storedLength(), b.getLong(t + 8));
    assertEquals(m.crc32c(), b.getInt(t + 16));
    assertEquals(2, b.getShort(t + 20));
    assertEquals(0, b.getShort(t + 22));
    assertEquals(crc(b.array(), t, 24), b.getInt(t + 24));
    assertEquals("CAIRNEND", ascii(b, t + 28, 8));
  }

  @Test
  void archiveFileIsOwnerReadWriteOnlyWhileWrittenAndOncePublished() throws Exception {
    Path file = dir.resolve("x.cairn");
    try (ArchiveWriter w = TestArchives.create(file)) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(".x.cairn.partial"))));
      assertFalse(Files.exists(file), "nothing is published before finish");
      w.finish(new byte[0]);
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void finishRefusesToReplaceAnExistingFileAndLeavesItIntact() throws Exception {
    Path file = Files.writeString(dir.resolve("x.cairn"), "precious");
    try (ArchiveWriter w = TestArchives.create(file)) {
      CairnException e = assertThrows(CairnException.class, () -> w.finish(new byte[0]));
      assertEquals(ErrorCode.REPO_WRITE, e.code());
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
    assertEquals("precious", Files.readString(file));
    assertFalse(Files.exists(dir.resolve(".x.cairn.partial")), "the unpublished write is removed");
  }

  @Test
  void chunkLargerThan8MiBIsRejectedAnd8MiBIsAccepted() {
    Path file = dir.resolve("x.cairn");
    byte[] big = new byte[ArchiveFormat.MAX_CHUNK_RAW_LENGTH + 1];
    try (ArchiveWriter w = TestArchives.create(file)) {
      CairnException e = assertThrows(CairnException.class, () -> w.writeChunk(KIND_DATA, big, 0, big.length));
      assertTrue(e.getMessage().contains("exceeds the limit of 8388608 bytes"), e.getMessage());
      ChunkRef ref = w.writeChunk(KIND_DATA, big, 1, big.length - 1);
      assertEquals(ArchiveFormat.MAX_CHUNK_RAW_LENGTH, ref.rawLength());
    }
  }

  @Test
  void writeChunkRefusesTheManifestKindAndUnknownKinds() {
    try (ArchiveWriter w = TestArchives.create(dir.resolve("x.cairn"))) {
      assertThrows(CairnException.class, () -> w.writeChunk(KIND_MANIFEST, new byte[1], 0, 1));
      assertThrows(CairnException.class, () -> w.writeChunk(7, new byte[1], 0, 1));
    }
  }

  @Test
  void abortDeletesTheFileAndCloseWithoutFinishDiscardsIt() {
    Path a = dir.resolve("a.cairn");
    ArchiveWriter w = TestArchives.create(a);
    w.writeChunk(KIND_DATA, new byte[10], 0, 10);
    w.abort();
    w.abort(); // never throws, idempotent
    assertFalse(Files.exists(a));
    assertThrows(CairnException.class, () -> w.writeChunk(KIND_DATA, new byte[10], 0, 10));

    Path b = dir.resolve("b.cairn");
    try (ArchiveWriter w2 = TestArchives.create(b)) {
      w2.writeChunk(KIND_DATA, new byte[10], 0, 10);
    }
    assertFalse(Files.exists(b));
  }

  @Test
  void writesAfterFinishAreRefusedAndTheFinishedFileStays() {
    Path file = dir.resolve("x.cairn");
    ArchiveWriter w = TestArchives.create(file);
    w.finish(new byte[0]);
    assertThrows(CairnException.class, () -> w.writeChunk(KIND_DATA, new byte[1], 0, 1));
    assertThrows(CairnException.class, () -> w.finish(new byte[0]));
    w.close();
    assertTrue(Files.exists(file));
  }

  @Test
  void refThatDisagreesWithTheChunkHeaderIsRejected() {
    Path file = dir.resolve("x.cairn");
    byte[] raw = TestData.copyText(50_000, 5);
    ChunkRef ref;
    try (ArchiveWriter w = TestArchives.create(file)) {
      w.writeChunk(KIND_DATA, raw, 0, raw.length);
      ref = w.writeChunk(KIND_DATA, raw, 0, raw.length);
      w.finish(new byte[0]);
    }
    try (ArchiveReader r = TestArchives.open(file)) {
      List<ChunkRef> wrong = List.of(
          new ChunkRef(ref.offset(), ref.storedLength(), ref.rawLength(), ref.crc32c() ^ 1, ref.kind(), ref.codec(), 0),
          new ChunkRef(ref.offset(), ref.storedLength(), ref.rawLength() - 1, ref.crc32c(), ref.kind(), ref.codec(), 0),
          new ChunkRef(ref.offset(), ref.storedLength(), ref.rawLength(), ref.crc32c(), KIND_SCHEMA, ref.codec(), 0),
          new ChunkRef(ref.offset(), ref.storedLength(), ref.rawLength(), ref.crc32c(), ref.kind(), ref.codec(), 1),
          new ChunkRef(ref.offset() - 1, ref.storedLength(), ref.rawLength(), ref.crc32c(), ref.kind(), ref.codec(), 0),
          new ChunkRef(ref.offset(), ref.storedLength() + 1, ref.rawLength(), ref.crc32c(), ref.kind(), ref.codec(), 0),
          new ChunkRef(ref.offset(), -5, ref.rawLength(), ref.crc32c(), ref.kind(), ref.codec(), 0),
          new ChunkRef(Long.MAX_VALUE - 3, ref.storedLength(), ref.rawLength(), ref.crc32c(), ref.kind(), 0, 0),
          new ChunkRef(ref.offset(), ref.storedLength(), ref.rawLength(), ref.crc32c(), KIND_MANIFEST, ref.codec(), 0));
      for (ChunkRef bad : wrong) {
        CairnException e = assertThrows(CairnException.class, () -> r.readChunk(bad), bad.toString());
        assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code(), e.getMessage());
        assertTrue(e.getMessage().startsWith("archive " + file + ": chunk at byte offset "), e.getMessage());
      }
      assertArrayEquals(raw, r.readChunk(ref));
    }
  }

  @Test
  void readAfterCloseFailsWithRepoRead() {
    Path file = dir.resolve("x.cairn");
    ChunkRef ref;
    try (ArchiveWriter w = TestArchives.create(file)) {
      ref = w.writeChunk(KIND_DATA, new byte[100], 0, 100);
      w.finish(new byte[0]);
    }
    ArchiveReader r = TestArchives.open(file);
    r.close();
    CairnException e = assertThrows(CairnException.class, () -> r.readChunk(ref));
    assertEquals(ErrorCode.REPO_READ, e.code());
  }

  @Test
  void openingAMissingFileFailsWithRepoRead() {
    CairnException e = assertThrows(CairnException.class, () -> TestArchives.open(dir.resolve("nope.cairn")));
    assertEquals(ErrorCode.REPO_READ, e.code());
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void chunkRefJsonRoundTripsIncludingACrcWithTheHighBitSet() {
    ChunkRef ref = new ChunkRef(1L << 40, 123, 456, 0xDEADBEEF, KIND_DATA, CODEC_LZ4_FRAME, 0);
    JsonObject j = ref.toJson();
    assertEquals(0xDEADBEEFL, j.getLong("crc32c"));
    assertEquals(ref, ChunkRef.fromJson(j));
    assertEquals(ref, ChunkRef.fromJson(new JsonObject(j.encode())));
  }

  @Test
  void chunkRefFromJsonRejectsMissingOrOutOfRangeFields() {
    JsonObject good = new ChunkRef(16, 1, 1, 1, 1, 0, 0).toJson();
    for (JsonObject bad : List.of(good.copy().put("offset", -1), good.copy().put("crc32c", 1L << 32),
        good.copy().put("kind", 256), good.copy().put("rawLength", "12"), good.copy().put("flags", 1.5))) {
      CairnException e = assertThrows(CairnException.class, () -> ChunkRef.fromJson(bad));
      assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    }
    JsonObject missing = good.copy();
    missing.remove("codec");
    CairnException e = assertThrows(CairnException.class, () -> ChunkRef.fromJson(missing));
    assertTrue(e.getMessage().contains("codec"), e.getMessage());
  }

  static int crc(byte[] b) {
    return crc(b, 0, b.length);
  }

  static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }

  private static String ascii(ByteBuffer b, int at, int len) {
    return new String(b.array(), at, len, StandardCharsets.US_ASCII);
  }
}
