package dev.cairn.http;

import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether every database has a good backup newer than its max age, and none dated in the future (clock skew):
 * the answer of GET /api/v1/health.
 */
public final class Health {
  private Health() {}

  public record Report(boolean ok, JsonObject json) {}

  /** {@code backups}: newest first, as {@link Backups#list} gives them. {@code maxAge}: database name to the oldest acceptable age of its newest good backup. */
  public static Report evaluate(List<Backups.Entry> backups, Map<String, Duration> maxAge, Instant now) {
    JsonArray dbs = new JsonArray();
    boolean allOk = true;
    for (Map.Entry<String, Duration> e : maxAge.entrySet()) {
      String db = e.getKey();
      List<Backups.Entry> good = backups.stream().filter(b -> b.good() && db.equals(b.name())).toList();
      // A backup dated in the future is reported, and never counts as the newest: it would hide staleness.
      Backups.Entry skewed = good.stream().filter(b -> Latest.fromTheFuture(b, now)).findFirst().orElse(null);
      Backups.Entry newest = good.stream().filter(b -> !Latest.fromTheFuture(b, now)).findFirst().orElse(null);
      JsonObject o = new JsonObject().put("database", db).put("maxAge", e.getValue().toString());
      List<String> reasons = new ArrayList<>();
      if (skewed != null) {
        Instant dated = skewed.summary().finished();
        Duration ahead = Duration.between(now, dated);
        o.put("clockSkew", new JsonObject().put("backup", skewed.id()).put("finished", dated.toString())
            .put("aheadSeconds", ahead.toSeconds()));
        reasons.add("clock skew: backup " + skewed.id() + " is dated " + dated + ", " + human(ahead)
            + " ahead of this host's clock");
      }
      if (newest == null) {
        reasons.add("no good backup of " + db + (skewed == null ? " yet" : " dated before now"));
      } else {
        Duration age = Duration.between(newest.summary().finished(), now);
        o.put("lastBackup", newest.id()).put("lastBackupFinished", newest.summary().finished().toString())
            .put("ageSeconds", Math.max(0, age.toSeconds()));
        if (age.compareTo(e.getValue()) > 0) {
          reasons.add("newest good backup " + newest.id() + " is " + human(age) + " old, more than "
              + human(e.getValue()));
        }
      }
      boolean ok = reasons.isEmpty();
      if (!ok) {
        o.put("reason", String.join("; ", reasons));
      }
      o.put("ok", ok);
      allOk &= ok;
      dbs.add(o);
    }
    return new Report(allOk, new JsonObject().put("status", allOk ? "ok" : "failing").put("databases", dbs));
  }

  /** With point-in-time recovery: red too on a cluster with a gap, no window, or a lag above its max_lag. */
  public static Report withPitr(Report backups, dev.cairn.pitr.PitrReport.Report pitr) {
    if (pitr.json().getJsonArray("clusters").isEmpty()) {
      return backups;
    }
    boolean ok = backups.ok() && pitr.ok();
    return new Report(ok, backups.json().copy().put("status", ok ? "ok" : "failing")
        .put("clusters", pitr.json().getJsonArray("clusters")));
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
