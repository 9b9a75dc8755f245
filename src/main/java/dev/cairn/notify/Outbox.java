package dev.cairn.notify;

import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Deliveries not yet made, one small object per event and sink ({@code notify/outbox/<event>.<sink>.json}),
 * written before the first attempt and deleted once delivered or given up: an alert queued when the agent
 * stops (or is killed) is sent after it starts again. Blocking: call on the notify pool.
 */
final class Outbox {
  private static final Logger LOG = Logger.getLogger("cairn.notify");
  static final String DIR = "notify/outbox/";

  record Entry(String sink, Event event, int attempts) {}

  private final Storage storage;

  Outbox(Storage storage) {
    this.storage = storage;
  }

  static String key(String sink, String eventId) {
    return DIR + eventId + "." + sink + ".json";
  }

  void put(Entry e) {
    JsonObject j = new JsonObject().put("sink", e.sink()).put("attempts", e.attempts()).put("event", e.event().toJson());
    storage.put(key(e.sink(), e.event().id()), j.encode().getBytes(StandardCharsets.UTF_8));
  }

  void remove(String sink, String eventId) {
    storage.delete(key(sink, eventId));
  }

  /** Every pending delivery, oldest event first; unreadable entries are logged and removed. */
  List<Entry> pending() {
    List<Entry> out = new ArrayList<>();
    for (Storage.ObjectInfo o : storage.list(DIR)) {
      try {
        JsonObject j = new JsonObject(new String(storage.get(o.key()).orElseThrow(), StandardCharsets.UTF_8));
        out.add(new Entry(j.getString("sink"), Event.fromJson(j.getJsonObject("event")), j.getInteger("attempts", 0)));
      } catch (RuntimeException bad) {
        LOG.warning(() -> "dropping unreadable notification " + o.key() + ": " + bad.getMessage());
        storage.delete(o.key());
      }
    }
    out.sort(java.util.Comparator.comparing((Entry e) -> e.event().at()).thenComparing(e -> e.event().id()));
    return out;
  }
}
