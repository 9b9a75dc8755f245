package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Lz4Frames;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.Storage;
import dev.cairn.storage.WriteSink;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A base backup's tar through the parallel writer and reader, on a real local repository; the layout pinned. */
class BaseStreamTest {
  @TempDir Path tmp;
  Storage storage;

  @BeforeEach
  void repository() {
    storage = LocalStorage.openForWrite(tmp.resolve("repo"));
  }

  /** Blocks of text-like (compressible) and random bytes, not a multiple of the block size. */
  static byte[] tar(int bytes) {
    byte[] b = new byte[bytes];
    Random r = new Random(42);
    for (int i = 0; i < bytes; i++) {
      b[i] = (i / BaseStream.BLOCK) % 2 == 0 ? (byte) ('a' + i % 7) : (byte) r.nextInt();
    }
    return b;
  }

  BaseStream.Result write(String key, byte[] raw) {
    try (WriteSink sink = storage.create(key); BaseStream.Writer w = new BaseStream.Writer(sink)) {
      for (int off = 0; off < raw.length; off += 100_000) { // pg_basebackup's reads do not align with blocks
        w.write(raw, off, Math.min(100_000, raw.length - off));
      }
      BaseStream.Result r = w.finish();
      sink.commit();
      return r;
    }
  }

  byte[] read(String key, String sha256) throws Exception {
    try (ReadSource src = storage.open(key).orElseThrow(); InputStream in = new BaseStream.Reader(src, sha256)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  @Test
  void whatTheParallelWriterWroteReadsBackInOrderWithItsDigest() throws Exception {
    byte[] raw = tar(9 * BaseStream.BLOCK + 12345);
    BaseStream.Result r = write("t.tar.lz4", raw);
    assertEquals(raw.length, r.rawBytes());
    assertEquals(HexFormat.of().formatHex(BaseStream.sha256().digest(raw)), r.sha256());
    assertArrayEquals(raw, read("t.tar.lz4", r.sha256()));
  }

  @Test
  void theLayoutIsTheOneEarlierVersionsWroteAndRead() throws Exception {
    byte[] raw = tar(2 * BaseStream.BLOCK + 77);
    BaseStream.Result r = write("new.tar.lz4", raw);
    ByteBuffer b = ByteBuffer.allocate((int) r.storedBytes());
    storage.open("new.tar.lz4").orElseThrow().read(0, b);
    assertEquals(BaseStream.MAGIC, b.getInt(0));
    int pos = 4;
    for (int blockLen : new int[] {BaseStream.BLOCK, BaseStream.BLOCK, 77}) {
      assertEquals(blockLen, b.getInt(pos), "raw length at " + pos);
      int frameLen = b.getInt(pos + 4);
      byte[] frame = new byte[frameLen];
      b.get(pos + 12, frame);
      byte[] block = Lz4Frames.decode(frame, blockLen, "test");
      CRC32C crc = new CRC32C();
      crc.update(block);
      assertEquals((int) crc.getValue(), b.getInt(pos + 8));
      pos += 12 + frameLen;
    }
    assertEquals(0, b.getLong(pos));
    assertEquals(0, b.getInt(pos + 8));
    assertEquals(r.storedBytes(), pos + 12);
  }

  @Test
  void aDamagedBlockIsNamedByItsOffset() throws Exception {
    byte[] raw = tar(4 * BaseStream.BLOCK);
    BaseStream.Result r = write("t.tar.lz4", raw);
    ByteBuffer b = ByteBuffer.allocate((int) r.storedBytes());
    storage.open("t.tar.lz4").orElseThrow().read(0, b);
    int second = 4 + 12 + b.getInt(8);
    int third = second + 12 + b.getInt(second + 4);
    byte[] bytes = b.array();
    bytes[third - 100] ^= 0x01; // inside the second block's frame: random bytes, stored uncompressed
    storage.put("bad.tar.lz4", bytes);
    CairnException e = assertThrows(CairnException.class, () -> read("bad.tar.lz4", r.sha256()));
    assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    assertTrue(e.getMessage().contains("offset " + second), e.getMessage());
  }
}
