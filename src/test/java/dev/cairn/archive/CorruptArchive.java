package dev.cairn.archive;

import dev.cairn.testkit.TestArchives;
import static dev.cairn.archive.ArchiveFormat.KIND_DATA;
import static dev.cairn.archive.ArchiveFormat.KIND_SCHEMA;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small archive with one chunk of each shape (lz4 data, uncompressed data, empty, schema) and a
 * manifest that lists them, plus the oracle for damaged copies of it: either it is rejected with
 * ARCHIVE_CORRUPT, or every chunk reads back exactly.
 */
final class CorruptArchive {
  final byte[] bytes;
  final List<ChunkRef> refs = new ArrayList<>();
  final List<byte[]> raws = new ArrayList<>();
  final byte[] manifest;

  /** {@code compressedManifest}: pad the manifest so it is stored as an lz4 frame, else keep it tiny. */
  CorruptArchive(Path dir, boolean compressedManifest) {
    Path file = dir.resolve("pristine-" + compressedManifest + ".cairn");
    try {
      Files.deleteIfExists(file);
      try (ArchiveWriter w = TestArchives.create(file)) {
        add(w, KIND_DATA, TestData.copyText(600, 1));
        add(w, KIND_DATA, TestData.random(40, 2));
        add(w, KIND_DATA, new byte[0]);
        add(w, KIND_SCHEMA, "CREATE TABLE t (id int);\nCREATE TABLE u (id int);\nCREATE TABLE v (id int);\n"
            .getBytes(StandardCharsets.UTF_8));
        JsonArray chunks = new JsonArray();
        refs.forEach(r -> chunks.add(r.toJson()));
        JsonObject m = new JsonObject().put("chunks", chunks);
        if (compressedManifest) {
          m.put("padding", "abc".repeat(100));
        }
        manifest = compressedManifest ? m.encode().getBytes(StandardCharsets.UTF_8) : new byte[] {'{', '}'};
        ChunkRef mref = w.finish(manifest);
        if ((mref.codec() == ArchiveFormat.CODEC_LZ4_FRAME) != compressedManifest) {
          throw new AssertionError("manifest codec " + mref.codec());
        }
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void add(ArchiveWriter w, int kind, byte[] raw) {
    refs.add(w.writeChunk(kind, raw, 0, raw.length));
    raws.add(raw);
  }

  /** The chunk whose header or payload holds byte {@code pos}, or -1. */
  int chunkContaining(long pos) {
    for (int i = 0; i < refs.size(); i++) {
      if (pos >= refs.get(i).offset() && pos < refs.get(i).end()) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Opens {@code damaged} and reads every chunk. Returns the indexes of chunks that were rejected (-1
   * alone if open rejected the file). Throws AssertionError on any wrong data, any failure that is
   * not ARCHIVE_CORRUPT, or any exception that is not a CairnException.
   */
  static List<Integer> rejected(CorruptArchive a, Path damaged) {
    List<Integer> rejected = new ArrayList<>();
    ArchiveReader r;
    try {
      r = TestArchives.open(damaged);
    } catch (CairnException e) {
      expectCorrupt(e);
      return List.of(-1);
    }
    try (r) {
      if (!Arrays.equals(a.manifest, r.manifestJson())) {
        throw new AssertionError("open returned a wrong manifest");
      }
      for (int i = 0; i < a.refs.size(); i++) {
        try {
          byte[] got = r.readChunk(a.refs.get(i));
          if (!Arrays.equals(a.raws.get(i), got)) {
            throw new AssertionError("chunk " + i + " read back wrong bytes");
          }
        } catch (CairnException e) {
          expectCorrupt(e);
          rejected.add(i);
        }
      }
    }
    return rejected;
  }

  private static void expectCorrupt(CairnException e) {
    if (e.code() != ErrorCode.ARCHIVE_CORRUPT) {
      throw new AssertionError("expected ARCHIVE_CORRUPT, got " + e.describe(), e);
    }
  }
}
