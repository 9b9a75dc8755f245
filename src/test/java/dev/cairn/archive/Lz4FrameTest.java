package dev.cairn.archive;

import dev.cairn.testkit.TestArchives;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Lz4FrameTest {
  private static final Path LZ4 = Path.of("/usr/bin/lz4");
  private static final String CTX = "test frame";

  @TempDir Path dir;

  /** Three 4 MiB blocks: compressible text, incompressible random bytes (stored), then a short tail. */
  private static byte[] mixedMultiBlockInput() {
    byte[] in = new byte[9 << 20];
    System.arraycopy(TestData.copyText(4 << 20, 1), 0, in, 0, 4 << 20);
    System.arraycopy(TestData.random(4 << 20, 2), 0, in, 4 << 20, 4 << 20);
    System.arraycopy(TestData.copyText(1 << 20, 3), 0, in, 8 << 20, 1 << 20);
    return in;
  }

  @Test
  void encodedFrameHasTheDocumentedHeaderAndStoresIncompressibleBlocksUncompressed() {
    byte[] in = mixedMultiBlockInput();
    ByteBuffer f = ByteBuffer.wrap(Lz4Frame.encode(in)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(0x184D2204, f.getInt(0));
    assertEquals(0x68, f.get(4) & 0xFF);
    assertEquals(0x70, f.get(5) & 0xFF);
    assertEquals(in.length, f.getLong(6));
    int first = f.getInt(15);
    assertTrue(first > 0 && first < (4 << 20), "first block compressed");
    int second = f.getInt(15 + 4 + first);
    assertEquals(0x80000000 | (4 << 20), second, "second block stored uncompressed");
    assertEquals(0, f.getInt(f.capacity() - 4), "EndMark");
    assertArrayEquals(in, Lz4Frame.decode(f.array(), in.length, CTX));
  }

  @Test
  void ourFrameDecompressesWithTheLz4CommandLineTool() throws Exception {
    assumeTrue(Files.isExecutable(LZ4), "lz4 CLI not installed");
    byte[] in = mixedMultiBlockInput();
    Path frame = Files.write(dir.resolve("in.lz4"), Lz4Frame.encode(in));
    Path out = dir.resolve("out");
    run(LZ4.toString(), "-d", "-q", "-f", frame.toString(), out.toString());
    assertArrayEquals(in, Files.readAllBytes(out));
  }

  @Test
  void chunkCutOutOfAnArchiveWithDdDecompressesWithTheLz4CommandLineTool() throws Exception {
    assumeTrue(Files.isExecutable(LZ4), "lz4 CLI not installed");
    Path file = dir.resolve("x.cairn");
    byte[] raw = TestData.copyText(3_000_000, 9);
    ChunkRef ref;
    try (ArchiveWriter w = TestArchives.create(file)) {
      w.writeChunk(ArchiveFormat.KIND_DATA, new byte[777], 0, 777);
      ref = w.writeChunk(ArchiveFormat.KIND_DATA, raw, 0, raw.length);
      w.finish(new byte[0]);
    }
    Path cut = dir.resolve("cut.lz4");
    run("dd", "if=" + file, "of=" + cut, "bs=64K", "iflag=skip_bytes,count_bytes", "status=none",
        "skip=" + (ref.offset() + ArchiveFormat.CHUNK_HEADER_SIZE), "count=" + ref.storedLength());
    Path out = dir.resolve("out");
    run(LZ4.toString(), "-d", "-q", "-f", cut.toString(), out.toString());
    assertArrayEquals(raw, Files.readAllBytes(out));
  }

  @Test
  void lz4CliFrameWithIndependentBlocksContentSizeAndContentChecksumDecodes() throws Exception {
    byte[] in = mixedMultiBlockInput();
    byte[] frame = lz4Cli(in, "-BI", "-B7", "--content-size");
    assertEquals(Lz4Frame.FLG_CONTENT_SIZE | Lz4Frame.FLG_CONTENT_CHECKSUM,
        frame[4] & (Lz4Frame.FLG_CONTENT_SIZE | Lz4Frame.FLG_CONTENT_CHECKSUM));
    assertArrayEquals(in, Lz4Frame.decode(frame, in.length, CTX));
  }

  @Test
  void lz4CliFrameWithBlockChecksumsAndSmallBlocksDecodes() throws Exception {
    byte[] in = TestData.copyText(1_000_000, 4);
    for (String blockSize : new String[] {"-B4", "-B7"}) {
      byte[] frame = lz4Cli(in, "-BI", "-BX", blockSize);
      assertEquals(Lz4Frame.FLG_BLOCK_CHECKSUM, frame[4] & Lz4Frame.FLG_BLOCK_CHECKSUM);
      assertArrayEquals(in, Lz4Frame.decode(frame, in.length, CTX));
    }
  }

  @Test
  void corruptedBlockChecksumOrContentChecksumIsRejected() throws Exception {
    byte[] in = TestData.copyText(100_000, 5);
    byte[] blockChecked = lz4Cli(in, "-BI", "-BX", "--no-frame-crc");
    // the first block's checksum sits just before the next block size or the EndMark
    ByteBuffer le = ByteBuffer.wrap(blockChecked).order(ByteOrder.LITTLE_ENDIAN);
    int size = le.getInt(7) & 0x7FFFFFFF;
    blockChecked[7 + 4 + size] ^= 1;
    CairnException e = assertThrows(CairnException.class, () -> Lz4Frame.decode(blockChecked, in.length, CTX));
    assertTrue(e.getMessage().startsWith(CTX + ": lz4 frame block at payload offset 7: block checksum mismatch"),
        e.getMessage());

    byte[] contentChecked = lz4Cli(in, "-BI");
    contentChecked[contentChecked.length - 1] ^= 1;
    e = assertThrows(CairnException.class, () -> Lz4Frame.decode(contentChecked, in.length, CTX));
    assertTrue(e.getMessage().contains("lz4 frame content checksum mismatch"), e.getMessage());
  }

  @Test
  void dependentBlockFrameIsRejectedWithAHint() throws Exception {
    byte[] in = TestData.copyText(200_000, 6);
    byte[] frame = lz4Cli(in, "-BD", "-B4");
    CairnException e = assertThrows(CairnException.class, () -> Lz4Frame.decode(frame, in.length, CTX));
    assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    assertTrue(e.getMessage().contains("dependent (linked) blocks"), e.getMessage());
    assertTrue(e.hint().contains("-BI"), e.hint());
  }

  @Test
  void legacyFrameAndBadMagicAreRejected() throws Exception {
    byte[] in = TestData.copyText(10_000, 7);
    byte[] legacy = lz4Cli(in, "-l");
    CairnException e = assertThrows(CairnException.class, () -> Lz4Frame.decode(legacy, in.length, CTX));
    assertTrue(e.getMessage().contains("legacy lz4 format"), e.getMessage());

    byte[] bad = Lz4Frame.encode(in);
    bad[0] = 0x05;
    e = assertThrows(CairnException.class, () -> Lz4Frame.decode(bad, in.length, CTX));
    assertEquals(CTX + ": bad lz4 frame magic at payload offset 0 (expected 0x184d2204, found 0x184d2205)",
        e.getMessage());
  }

  @Test
  void corruptCompressedBlockIsReportedWithItsPayloadOffset() {
    byte[] in = TestData.copyText(100_000, 8);
    byte[] frame = Lz4Frame.encode(in);
    // make the first token claim a huge literal run: the block can no longer decode within its bounds
    for (int i = 19; i < 40; i++) {
      frame[i] = (byte) 0xFF;
    }
    CairnException e = assertThrows(CairnException.class, () -> Lz4Frame.decode(frame, in.length, CTX));
    assertTrue(e.getMessage().startsWith(CTX + ": lz4 frame block at payload offset 15 is corrupt"), e.getMessage());
  }

  @Test
  void contentSizeThatDisagreesWithTheExpectedLengthIsRejected() {
    byte[] in = TestData.copyText(1000, 9);
    byte[] frame = Lz4Frame.encode(in);
    CairnException e = assertThrows(CairnException.class, () -> Lz4Frame.decode(frame, in.length + 1, CTX));
    assertTrue(e.getMessage().contains("content size at payload offset 6 is 1000, expected 1001"), e.getMessage());
  }

  @Test
  void trailingBytesAfterTheFrameAreRejected() {
    byte[] in = TestData.copyText(1000, 10);
    byte[] frame = Lz4Frame.encode(in);
    byte[] longer = java.util.Arrays.copyOf(frame, frame.length + 3);
    CairnException e = assertThrows(CairnException.class, () -> Lz4Frame.decode(longer, in.length, CTX));
    assertTrue(e.getMessage().contains("3 unexpected bytes after the lz4 frame end"), e.getMessage());
  }

  private byte[] lz4Cli(byte[] in, String... options) throws Exception {
    assumeTrue(Files.isExecutable(LZ4), "lz4 CLI not installed");
    Path src = Files.write(dir.resolve("cli-in"), in);
    Path dst = dir.resolve("cli-out.lz4");
    List<String> cmd = new ArrayList<>(List.of(LZ4.toString(), "-q", "-f"));
    cmd.addAll(List.of(options));
    cmd.add(src.toString());
    cmd.add(dst.toString());
    run(cmd.toArray(String[]::new));
    return Files.readAllBytes(dst);
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + output);
  }
}
