package dev.cairn.storage;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * How a backup came into a repository by copy: {@code copies/<id>.json}, written once the copy was checked
 * (size and whole-object SHA-256 equal to the source's, full verify) and before its catalog summary, so
 * that it says when the copy was made however often the backup is verified later. A backup written here
 * by its own backup job has none. Deleted with the backup. Blocking.
 */
public final class Copies {
  public static final String DIR = "copies/";

  /** {@code from}: the source repository's name (or location, for a copy by hand). */
  public record Record(String id, String from, Instant copiedAt, long bytes, String sha256) {
    JsonObject toJson() {
      return new JsonObject().put("id", id).put("from", from).put("copiedAt", copiedAt.toString()).put("bytes", bytes)
          .put("sha256", sha256);
    }

    static Record fromJson(JsonObject o) {
      return new Record(o.getString("id"), o.getString("from"), Instant.parse(o.getString("copiedAt")),
          o.getLong("bytes"), o.getString("sha256"));
    }
  }

  private final Storage storage;

  Copies(Storage storage) {
    this.storage = storage;
  }

  static String key(String id) {
    return DIR + id + ".json";
  }

  public void put(Record r) {
    storage.put(key(r.id()), r.toJson().encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The record of {@code id}, or empty when it was not copied here (or the record is unreadable). */
  public Optional<Record> get(String id) {
    return storage.get(key(id)).flatMap(Copies::parse);
  }

  /** Every readable record, by backup id. */
  public Map<String, Record> all() {
    Map<String, Record> out = new HashMap<>();
    for (Storage.ObjectInfo o : storage.list(DIR)) {
      if (o.key().endsWith(".json")) {
        storage.get(o.key()).flatMap(Copies::parse).ifPresent(r -> out.put(r.id(), r));
      }
    }
    return out;
  }

  void delete(String id) {
    storage.delete(key(id));
  }

  private static Optional<Record> parse(byte[] b) {
    try {
      return Optional.of(Record.fromJson(new JsonObject(new String(b, StandardCharsets.UTF_8))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
