package dev.cairn.storage;

import dev.cairn.archive.Manifest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The catalog: one small summary per backup, {@code catalog/<id>.json}, written when the backup is
 * published and replaced when it is verified. Listing reads summaries only, never a manifest (a 1 TiB
 * backup's manifest is tens of MB). The archive stays the truth: a summary that is missing, unreadable,
 * names another id or another archive size is rebuilt from the archive's manifest
 * ({@link Backups#read}), so a bare copy of the archives is always enough. Blocking.
 */
public final class BackupCatalog {
  public static final String DIR = "catalog/";
  static final int FORMAT = 1;
  private static final Logger LOG = Logger.getLogger("cairn.storage");

  /** What listing needs to know of a backup, without its manifest. */
  public record Summary(String id, String name, String database, Instant started, Instant finished,
      long archiveBytes, long rawBytes, int tables, long rows, String serverVersion, Verification verification) {

    public static Summary of(Manifest m, String id, long archiveBytes, Verification v) {
      return new Summary(id, Repository.nameOf(id), m.database(), m.started(), m.finished(), archiveBytes,
          m.totalRawBytes(), m.tables().size(), m.totalRows(), m.serverVersion(), v);
    }

    public Summary with(Verification v) {
      return new Summary(id, name, database, started, finished, archiveBytes, rawBytes, tables, rows, serverVersion, v);
    }

    JsonObject toJson() {
      return new JsonObject().put("format", FORMAT).put("id", id).put("name", name).put("database", database)
          .put("started", started.toString()).put("finished", finished.toString()).put("archiveBytes", archiveBytes)
          .put("rawBytes", rawBytes).put("tables", tables).put("rows", rows).put("serverVersion", serverVersion)
          .put("verification", verification.toJson());
    }

    static Summary fromJson(JsonObject o) {
      if (o.getInteger("format", 0) != FORMAT) {
        throw new IllegalArgumentException("summary format " + o.getValue("format"));
      }
      return new Summary(o.getString("id"), o.getString("name"), o.getString("database"),
          Instant.parse(o.getString("started")), Instant.parse(o.getString("finished")), o.getLong("archiveBytes"),
          o.getLong("rawBytes"), o.getInteger("tables"), o.getLong("rows"), o.getString("serverVersion"),
          Verification.fromJson(o.getJsonObject("verification")));
    }
  }

  private final Storage storage;

  BackupCatalog(Storage storage) {
    this.storage = storage;
  }

  static String key(String id) {
    return DIR + id + ".json";
  }

  /** A backup's summary, or empty when it is missing or unreadable (then rebuilt from the archive). */
  public Optional<Summary> get(String id) {
    return storage.get(key(id)).flatMap(b -> parse(id, b));
  }

  /** Every readable summary, by id; ids whose summary is missing or unreadable are absent. */
  public Map<String, Summary> all() {
    Map<String, Summary> out = new HashMap<>();
    for (Storage.ObjectInfo o : storage.list(DIR)) {
      String k = o.key();
      if (!k.endsWith(".json")) {
        continue;
      }
      String id = k.substring(DIR.length(), k.length() - ".json".length());
      storage.get(k).flatMap(b -> parse(id, b)).ifPresent(s -> out.put(id, s));
    }
    return out;
  }

  /** Ids of every summary object, readable or not. */
  public java.util.List<String> ids() {
    return storage.list(DIR).stream().map(Storage.ObjectInfo::key).filter(k -> k.endsWith(".json"))
        .map(k -> k.substring(DIR.length(), k.length() - ".json".length())).toList();
  }

  /** Writes (or replaces) a summary atomically. */
  public void put(Summary s) {
    storage.put(key(s.id()), s.toJson().encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a summary; a failure is logged, not raised: the archive is published and the summary is rebuilt. */
  public void putQuietly(Summary s) {
    try {
      put(s);
    } catch (RuntimeException e) {
      LOG.warning(() -> "cannot write the catalog summary of " + s.id() + " in " + storage.location() + ": "
          + e.getMessage() + " (it is rebuilt from the archive when next listed)");
    }
  }

  public void delete(String id) {
    storage.delete(key(id));
  }

  private Optional<Summary> parse(String id, byte[] b) {
    try {
      return Optional.of(Summary.fromJson(new JsonObject(new String(b, StandardCharsets.UTF_8))));
    } catch (RuntimeException e) {
      LOG.warning(() -> "catalog summary of " + id + " in " + storage.location() + " is unreadable ("
          + e.getMessage() + "); it is rebuilt from the archive");
      return Optional.empty();
    }
  }
}
