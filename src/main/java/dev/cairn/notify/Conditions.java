package dev.cairn.notify;

import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonArray;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;

/**
 * The lasting conditions already alerted (a stale database, an unreachable or full repository), kept in
 * {@code notify/conditions.json}: a condition alerts once when it starts and once when it ends, also across
 * agent restarts. The set is confined to the notify verticle; {@link #load}/{@link #save} block.
 */
final class Conditions {
  static final String KEY = "notify/conditions.json";

  private final Set<String> active = new TreeSet<>();

  /** Whether {@code key}'s state changed: true once when it becomes active, once when it clears. */
  boolean change(String key, boolean now) {
    return now ? active.add(key) : active.remove(key);
  }

  boolean isActive(String key) {
    return active.contains(key);
  }

  void replace(Set<String> keys) {
    active.clear();
    active.addAll(keys);
  }

  byte[] encode() {
    return new JsonArray(java.util.List.copyOf(active)).encode().getBytes(StandardCharsets.UTF_8);
  }

  static Set<String> load(Storage storage) {
    Set<String> out = new TreeSet<>();
    storage.get(KEY).ifPresent(b -> {
      try {
        new JsonArray(new String(b, StandardCharsets.UTF_8)).forEach(k -> out.add(String.valueOf(k)));
      } catch (RuntimeException bad) {
        // unreadable: start over; at worst an alert is repeated
      }
    });
    return out;
  }

  static void save(Storage storage, byte[] content) {
    storage.put(KEY, content);
  }
}
