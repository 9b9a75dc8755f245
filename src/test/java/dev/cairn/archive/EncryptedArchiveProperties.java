package dev.cairn.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

class EncryptedArchiveProperties {
  private static Path dir;
  private static SealedArchive a;

  @BeforeContainer
  static void build() throws IOException {
    dir = Files.createTempDirectory("cairn-sealed-props");
    a = new SealedArchive(dir, "pristine.cairn");
  }

  @AfterContainer
  static void cleanUp() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  @Property(tries = 600)
  void anySingleByteChangeFailsOpenOrTheReadOfTheChunkThatHoldsIt(
      @ForAll @IntRange(min = 0, max = 1 << 20) int position, @ForAll @IntRange(min = 1, max = 255) int xor)
      throws IOException {
    int pos = position % a.bytes.length;
    byte[] b = a.bytes.clone();
    b[pos] ^= (byte) xor;
    assertEquals(List.of(a.chunkContaining(pos)), a.rejected(Files.write(dir.resolve("damaged.cairn"), b)));
  }

  @Property(tries = 300)
  void anyPayloadChangeWithItsCrcRecomputedIsCaughtByAuthentication(
      @ForAll @IntRange(min = 0, max = 3) int chunk, @ForAll @IntRange(min = 0, max = 1 << 20) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
    ChunkRef ref = a.refs.get(chunk);
    int pos = (int) ref.offset() + 20 + position % ref.storedLength();
    byte[] b = a.bytes.clone();
    b[pos] ^= (byte) xor;
    SealedArchive.fixCrc(b, ref);
    // the header's crc no longer matches the manifest's ref: rejected either way, and never with wrong rows
    List<Integer> rejected = a.rejected(Files.write(dir.resolve("damaged.cairn"), b));
    assertEquals(List.of(chunk), rejected);
    try (ArchiveReader r = dev.cairn.testkit.TestArchives.open(dir.resolve("damaged.cairn"), SealedArchive.passphrase())) {
      ChunkRef asFixed = r.chunkAt(ref.offset());
      Exception e = org.junit.jupiter.api.Assertions.assertThrows(dev.cairn.error.CairnException.class,
          () -> r.readChunk(asFixed, a.aads.get(chunk)));
      assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
    }
  }

  @Property(tries = 200)
  void anyTruncationOrExtensionIsRejectedByOpen(@ForAll @IntRange(min = -600, max = 100) int delta)
      throws IOException {
    if (delta == 0) {
      return;
    }
    byte[] b = java.util.Arrays.copyOf(a.bytes, Math.max(0, a.bytes.length + delta));
    assertEquals(List.of(-1), a.rejected(Files.write(dir.resolve("resized.cairn"), b)));
  }
}
