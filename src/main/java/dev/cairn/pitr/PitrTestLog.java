package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.storage.RecentLog;
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

  private static RecentLog<PitrTestResult> log(PitrStore store) {
    return new RecentLog<>(store.storage(), key(store.cluster()), KEEP, PitrTestResult::fromJson,
        PitrTestResult::toJson, LOG);
  }

  /** Newest first; empty when none were recorded (an unreadable log is logged and starts anew). */
  public static List<PitrTestResult> read(PitrStore store) {
    return log(store).read();
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
    log(store).add(r);
  }
}
