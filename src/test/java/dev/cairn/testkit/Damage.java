package dev.cairn.testkit;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** Damages archives the way disks do, for tests that must see the damage named. */
public final class Damage {
  private Damage() {}

  /**
   * Flips one bit in the middle of the payload of chunk {@code chunk} of table {@code table}'s first part;
   * returns that chunk's ref (its offset is what error messages name).
   */
  public static ChunkRef flipByteInChunk(Path archive, String table, int chunk) throws IOException {
    ChunkRef target;
    try (ArchiveReader r = TestArchives.open(archive)) {
      Manifest m = Manifest.parse(r.manifestJson(), archive.toString());
      Manifest.Table t = m.tables().stream().filter(x -> x.name().equals(table)).findFirst().orElseThrow();
      target = t.parts().get(0).chunks().get(chunk);
    }
    try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
      long pos = target.offset() + 20 + target.storedLength() / 2; // past the 20-byte chunk header
      f.seek(pos);
      int b = f.read();
      f.seek(pos);
      f.write(b ^ 0x40);
    }
    return target;
  }
}
