package dev.cairn.testkit;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkRef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Archives as older cairn versions wrote them, made from current ones. */
public final class OldArchive {
  private OldArchive() {}

  /**
   * Copies {@code src} to {@code dst} without what cairn added later (globals, content): the manifest
   * loses those fields, the globals chunks are left out, every other chunk is copied and its ref updated.
   */
  public static void withoutGlobals(Path src, Path dst) {
    try (ArchiveReader r = TestArchives.open(src); ArchiveWriter w = TestArchives.create(dst)) {
      JsonObject m = new JsonObject(new String(r.manifestJson(), StandardCharsets.UTF_8));
      m.remove("globals");
      m.remove("content");
      m.getJsonObject("options").remove("content");
      Map<Long, JsonObject> refs = new TreeMap<>();
      collect(m, refs);
      for (JsonObject ref : refs.values()) {
        ChunkRef old = ChunkRef.fromJson(ref);
        byte[] raw = r.readChunk(old);
        ref.mergeIn(w.writeChunk(old.kind(), raw, 0, raw.length).toJson());
      }
      w.finish(m.encodePrettily().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static void collect(Object node, Map<Long, JsonObject> refs) {
    if (node instanceof JsonObject o) {
      if (o.containsKey("offset") && o.containsKey("crc32c")) {
        refs.put(o.getLong("offset"), o);
        return;
      }
      o.forEach(e -> collect(e.getValue(), refs));
    } else if (node instanceof JsonArray a) {
      a.forEach(v -> collect(v, refs));
    }
  }
}
