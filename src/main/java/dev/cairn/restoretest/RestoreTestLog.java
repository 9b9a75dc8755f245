package dev.cairn.restoretest;

import dev.cairn.storage.Repository;
import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The recent restore tests of each database, newest first: {@code restore-tests/<name>.json} in the repository
 * (replaced atomically, at most {@link #KEEP} results), written by the agent and by {@code cairn test}, read by
 * the API, health and metrics. Blocking.
 */
public final class RestoreTestLog {
  public static final int KEEP = 50;
  static final String DIR = "restore-tests/";
  private static final Logger LOG = Logger.getLogger("cairn.restoretest");

  private RestoreTestLog() {}

  /** Newest first; empty when none were recorded (or the object is unreadable, which is logged). */
  public static List<RestoreTestResult> read(Repository repo, String name) {
    Storage s = repo.storage();
    Optional<byte[]> b = s.get(DIR + name + ".json");
    if (b.isEmpty()) {
      return List.of();
    }
    try {
      JsonArray a = new JsonObject(new String(b.get(), StandardCharsets.UTF_8)).getJsonArray("tests");
      List<RestoreTestResult> out = new ArrayList<>();
      for (int i = 0; i < a.size(); i++) {
        out.add(RestoreTestResult.fromJson(a.getJsonObject(i)));
      }
      return out;
    } catch (RuntimeException e) {
      LOG.warning(() -> "restore test log " + DIR + name + ".json in " + s.location() + " is unreadable ("
          + e.getMessage() + "); it starts anew with the next test");
      return List.of();
    }
  }

  /** Adds a result in front, keeping the newest {@link #KEEP}. */
  public static synchronized void add(Repository repo, RestoreTestResult r) {
    String name = Repository.nameOf(r.backupId());
    List<RestoreTestResult> all = new ArrayList<>(read(repo, name));
    all.add(0, r);
    JsonArray a = new JsonArray();
    all.stream().limit(KEEP).forEach(t -> a.add(t.toJson()));
    repo.storage().put(DIR + name + ".json", new JsonObject().put("tests", a).encode().getBytes(StandardCharsets.UTF_8));
  }

  /** The last test of each of {@code names} that has one. */
  public static Map<String, RestoreTestResult> last(Repository repo, Iterable<String> names) {
    Map<String, RestoreTestResult> out = new LinkedHashMap<>();
    for (String n : names) {
      List<RestoreTestResult> l = read(repo, n);
      if (!l.isEmpty()) {
        out.put(n, l.get(0));
      }
    }
    return out;
  }
}
