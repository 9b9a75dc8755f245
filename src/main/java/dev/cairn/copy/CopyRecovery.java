package dev.cairn.copy;

import dev.cairn.storage.Backups;
import dev.cairn.storage.Copies;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Repository;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** What {@link CopyVerticle} does once at start, before it takes copies. Blocking. */
final class CopyRecovery {
  private static final Logger LOG = Logger.getLogger("cairn.copy");

  /** A copy missing at start: the newest good backup of a database, absent from one of its repositories. */
  record Missing(String id, String from, String to) {}

  record Recovered(Map<String, Instant> lastCopies, List<Missing> missing) {}

  private CopyRecovery() {}

  /**
   * Removes uploads left by copies that did not finish; reads when each repository last received a copy; finds
   * each database's newest good backup missing from its other repositories (the agent was down, or its copy
   * job failed for good), so that it is copied now.
   */
  static Recovered recover(Repositories repositories, Map<String, List<String>> routes, Clock clock) {
    Map<String, Instant> last = new HashMap<>();
    for (Repositories.Named r : repositories.all()) {
      r.repository().removePartials().forEach(k -> LOG.warning(() -> "removed " + k + " in " + r.name()
          + ", left by a write that did not finish"));
      r.repository().copies().all().values().stream().map(Copies.Record::copiedAt).max(Instant::compareTo)
          .ifPresent(at -> last.put(r.name(), at));
    }
    List<Missing> missing = new ArrayList<>();
    Map<String, List<Backups.Entry>> listed = new HashMap<>();
    routes.forEach((db, route) -> {
      if (route.size() < 2) {
        return;
      }
      Repository first = repositories.get(route.get(0)).orElseThrow().repository();
      Backups.Entry newest = listed.computeIfAbsent(route.get(0), n -> Backups.list(first)).stream()
          .filter(e -> e.good() && db.equals(e.name()) && !Latest.fromTheFuture(e, clock.instant()))
          .findFirst().orElse(null);
      for (String to : route.subList(1, route.size())) {
        try {
          if (newest != null && !repositories.get(to).orElseThrow().repository().exists(newest.id())) {
            missing.add(new Missing(newest.id(), route.get(0), to));
          }
        } catch (RuntimeException e) { // unreachable now: the next backup's copy job tries again
          LOG.warning(() -> "cannot tell whether " + to + " has " + newest.id() + ": " + e.getMessage());
        }
      }
    });
    return new Recovered(last, missing);
  }
}
