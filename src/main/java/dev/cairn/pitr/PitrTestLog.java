package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The recent PITR restore tests of a cluster, newest first: {@code pitr/NAME/restore-tests.json} (replaced
 * whole, at most {@link #KEEP}), written by the agent and by {@code cairn pitr test}, read for health, metrics and
 * the API. Blocking, like the storage.
 */
public final class PitrTestLog {
  public static final int KEEP = 50;
  private static final Logger LOG = Logger.getLogger("cairn.pitr");

  private PitrTestLog() {}

  static String key(String cluster) {
    return "pitr/" + cluster + "/restore-tests.json";
  }

  /** Newest first; empty when none were recorded (an unreadable log is logged and starts anew). */
  public static List<PitrTestResult> read(PitrStore store) {
    Optional<byte[]> b = store.storage().get(key(store.cluster()));
    if (b.isEmpty()) {
      return List.of();
    }
    try {
      JsonArray a = new JsonObject(new String(b.get(), StandardCharsets.UTF_8)).getJsonArray("tests");
      List<PitrTestResult> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        out.add(PitrTestResult.fromJson(a.getJsonObject(i)));
      }
      return out;
    } catch (RuntimeException e) {
      LOG.warning(() -> key(store.cluster()) + " in " + store.storage().location() + " is unreadable (" + e.getMessage()
          + "); it starts anew with the next test");
      return List.of();
    }
  }

  public static Optional<PitrTestResult> last(PitrStore store) {
    try {
      return read(store).stream().findFirst();
    } catch (CairnException e) {
      LOG.warning(() -> "cannot read " + key(store.cluster()) + ": " + e.getMessage());
      return Optional.empty();
    }
  }

  /** Adds a result in front, keeping the newest {@link #KEEP}. */
  public static synchronized void add(PitrStore store, PitrTestResult r) {
    List<PitrTestResult> all = new ArrayList<>(read(store));
    all.add(0, r);
    JsonArray a = new JsonArray();
    all.stream().limit(KEEP).forEach(t -> a.add(t.toJson()));
    store.storage().put(key(store.cluster()), new JsonObject().put("tests", a).encode().getBytes(StandardCharsets.UTF_8));
  }
}
