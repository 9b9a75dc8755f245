package dev.cairn.restoretest;

import dev.cairn.storage.RecentLog;
import dev.cairn.storage.Repository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  private static RecentLog<RestoreTestResult> log(Repository repo, String name) {
    return new RecentLog<>(repo.storage(), DIR + name + ".json", KEEP, RestoreTestResult::fromJson,
        RestoreTestResult::toJson, LOG);
  }

  /** Newest first; empty when none were recorded (or the object is unreadable, which is logged). */
  public static List<RestoreTestResult> read(Repository repo, String name) {
    return log(repo, name).read();
  }

  /** Adds a result in front, keeping the newest {@link #KEEP}. */
  public static synchronized void add(Repository repo, RestoreTestResult r) {
    log(repo, Repository.nameOf(r.backupId())).add(r);
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
