package dev.cairn.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

class ArchiveCorruptionProperties {
  private static Path dir;
  private static CorruptArchive plainManifest;
  private static CorruptArchive compressedManifest;

  @BeforeContainer
  static void build() throws IOException {
    dir = Files.createTempDirectory("cairn-archive-props");
    plainManifest = new CorruptArchive(dir, false);
    compressedManifest = new CorruptArchive(dir, true);
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

  @Property(tries = 2000)
  void anySingleByteChangeAnywhereFailsOpenOrTheReadOfTheChunkThatHoldsIt(
      @ForAll boolean compressed, @ForAll @IntRange(min = 0, max = 1 << 20) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
    CorruptArchive a = compressed ? compressedManifest : plainManifest;
    int pos = position % a.bytes.length;
    byte[] b = a.bytes.clone();
    b[pos] ^= (byte) xor;
    Path damaged = Files.write(dir.resolve("damaged.cairn"), b);
    // no reserved or unused bytes: every change is detected, in the right place
    assertEquals(List.of(a.chunkContaining(pos)), CorruptArchive.rejected(a, damaged));
  }

  @Property(tries = 300)
  void anyTruncationOrExtensionIsRejectedByOpen(@ForAll boolean compressed,
      @ForAll @IntRange(min = -400, max = 100) int delta) throws IOException {
    CorruptArchive a = compressed ? compressedManifest : plainManifest;
    if (delta == 0) {
      return;
    }
    int n = Math.max(0, a.bytes.length + delta);
    byte[] b = java.util.Arrays.copyOf(a.bytes, n);
    Path damaged = Files.write(dir.resolve("resized.cairn"), b);
    assertEquals(List.of(-1), CorruptArchive.rejected(a, damaged));
  }
}
