package dev.cairn.http;

import dev.cairn.storage.Backups;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Whether every database has a good backup newer than its max age: the answer of GET /api/v1/health. */
public final class Health {
  private Health() {}

  public record Report(boolean ok, JsonObject json) {}

  /** {@code backups}: newest first, as {@link Backups#list} gives them. {@code maxAge}: database name to the oldest acceptable age of its newest good backup. */
  public static Report evaluate(List<Backups.Entry> backups, Map<String, Duration> maxAge, Instant now) {
    JsonArray dbs = new JsonArray();
    boolean allOk = true;
    for (Map.Entry<String, Duration> e : maxAge.entrySet()) {
      String db = e.getKey();
      Backups.Entry newest = backups.stream()
          .filter(b -> b.good() && db.equals(b.name()))
          .findFirst().orElse(null);
      JsonObject o = new JsonObject().put("database", db).put("maxAge", e.getValue().toString());
      boolean ok;
      if (newest == null) {
        ok = false;
        o.put("reason", "no good backup of " + db + " yet");
      } else {
        Duration age = Duration.between(newest.summary().finished(), now);
        o.put("lastBackup", newest.id()).put("lastBackupFinished", newest.summary().finished().toString())
            .put("ageSeconds", Math.max(0, age.toSeconds()));
        ok = age.compareTo(e.getValue()) <= 0;
        if (!ok) {
          o.put("reason", "newest good backup " + newest.id() + " is " + human(age) + " old, more than "
              + human(e.getValue()));
        }
      }
      o.put("ok", ok);
      allOk &= ok;
      dbs.add(o);
    }
    return new Report(allOk, new JsonObject().put("status", allOk ? "ok" : "failing").put("databases", dbs));
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 259200) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
