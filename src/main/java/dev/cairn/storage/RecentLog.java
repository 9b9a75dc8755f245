package dev.cairn.storage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The newest entries of something, newest first, in one object {@code {"tests": [...]}} replaced whole on each
 * add and bounded to {@code keep}: the restore tests of a database, the PITR restore tests of a cluster. An
 * unreadable object is logged and starts anew with the next entry. Blocking, like the storage.
 */
public final class RecentLog<T> {
  private final Storage storage;
  private final String key;
  private final int keep;
  private final Function<JsonObject, T> fromJson;
  private final Function<T, JsonObject> toJson;
  private final Logger log;

  public RecentLog(Storage storage, String key, int keep, Function<JsonObject, T> fromJson,
      Function<T, JsonObject> toJson, Logger log) {
    this.storage = storage;
    this.key = key;
    this.keep = keep;
    this.fromJson = fromJson;
    this.toJson = toJson;
    this.log = log;
  }

  /** Newest first; empty when none were recorded or the object is unreadable. */
  public List<T> read() {
    Optional<byte[]> b = storage.get(key);
    if (b.isEmpty()) {
      return List.of();
    }
    try {
      JsonArray a = new JsonObject(new String(b.get(), StandardCharsets.UTF_8)).getJsonArray("tests");
      List<T> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        out.add(fromJson.apply(a.getJsonObject(i)));
      }
      return out;
    } catch (RuntimeException e) {
      log.warning(() -> key + " in " + storage.location() + " is unreadable (" + e.getMessage()
          + "); it starts anew with the next test");
      return List.of();
    }
  }

  /** Adds {@code entry} in front, keeping the newest {@code keep}. Callers serialise their adds. */
  public void add(T entry) {
    List<T> all = new ArrayList<>(read());
    all.add(0, entry);
    JsonArray a = new JsonArray();
    all.stream().limit(keep).forEach(t -> a.add(toJson.apply(t)));
    storage.put(key, new JsonObject().put("tests", a).encode().getBytes(StandardCharsets.UTF_8));
  }
}
