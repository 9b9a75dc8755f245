package dev.cairn.http;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.copy.Placement;
import dev.cairn.copy.Repositories;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Copies;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The configured repositories as the API, metrics and health show them: each one's size, good backups, free
 * space, reachability and its last copy (from the copy verticle), and where each backup is. Reads run on the
 * io pool; a repository receives backups when it is the first of some database's list, the others copies.
 */
final class RepositoriesView {
  /** {@code error}: why the repository could not be listed (unreachable), else null. */
  record State(Repositories.Named repo, boolean primary, int backups, long bytes, OptionalLong freeBytes,
      String error, Messages.CopyStatus copy) {
    /** What makes it a problem in health: unreachable, or its last copy job failed after every attempt. */
    String problem() {
      if (error != null) {
        return "repository " + repo.name() + " (" + repo.location() + ") is unreachable: " + error;
      }
      if (copy != null && copy.failing()) {
        return "repository " + repo.name() + ": copies are failing (last attempt " + copy.lastAttempt() + "): "
            + copy.lastError();
      }
      return null;
    }

    JsonObject toJson() {
      JsonObject last = null;
      if (copy != null) {
        String status = copy.lastError() == null ? "ok" : copy.failing() ? "failing" : "retrying";
        last = new JsonObject().put("status", copy.lastAttempt() == null ? "ok" : status)
            .put("attempted", str(copy.lastAttempt())).put("succeeded", str(copy.lastSuccess()))
            .put("error", copy.lastError());
      }
      return new JsonObject().put("name", repo.name()).put("kind", repo.kind()).put("location", repo.location())
          .put("receivesBackups", primary).put("reachable", error == null).put("error", error)
          .put("backups", backups).put("bytes", bytes)
          .put("freeBytes", freeBytes.isPresent() ? freeBytes.getAsLong() : null).put("lastCopy", last);
    }
  }

  /** Where one backup is: a repository, whether that copy is verified, and when it was copied there (null: written there by its backup). */
  record Copy(String repository, boolean verified, Instant copiedAt) {
    JsonObject toJson() {
      return new JsonObject().put("repository", repository).put("verified", verified).put("copiedAt", str(copiedAt));
    }
  }

  private final Vertx vertx;
  private final WorkerExecutor io;
  private final Repositories repositories;
  private final Placement placement;

  RepositoriesView(Vertx vertx, WorkerExecutor io, Placement placement) {
    this.vertx = vertx;
    this.io = io;
    this.placement = placement;
    this.repositories = placement.repositories();
  }

  boolean several() {
    return repositories.all().size() > 1;
  }

  /** Every repository's state; a repository that cannot be listed is unreachable, never a failure of the whole. */
  Future<List<State>> states() {
    Future<Map<String, Messages.CopyStatus>> copies = vertx.eventBus().<Messages.CopyStatusList>request(
            Addresses.COPY_STATUS, new Messages.CopyStatusQuery())
        .map(m -> {
          Map<String, Messages.CopyStatus> by = new HashMap<>();
          m.body().repositories().forEach(c -> by.put(c.repository(), c));
          return by;
        })
        .otherwise(e -> Map.of()); // no copy verticle: nothing known of copies
    return copies.compose(by -> io.executeBlocking(() -> {
      List<State> out = new ArrayList<>();
      Set<String> receivers = placement.receivers();
      for (Repositories.Named r : repositories.all()) {
        out.add(read(r, receivers.contains(r.name()), by.get(r.name())));
      }
      return out;
    }, false));
  }

  private static State read(Repositories.Named r, boolean primary, Messages.CopyStatus copy) {
    try {
      List<Backups.Entry> list = Backups.list(r.repository());
      long bytes = list.stream().mapToLong(Backups.Entry::bytes).sum();
      int good = (int) list.stream().filter(Backups.Entry::good).count();
      return new State(r, primary, good, bytes, r.repository().storage().freeSpace(), null, copy);
    } catch (RuntimeException e) {
      return new State(r, primary, 0, 0, OptionalLong.empty(), e.getMessage(), copy);
    }
  }

  /** Blocking: backup id to where it is, repository by repository; an unreachable repository is left out. */
  Map<String, List<Copy>> locations() {
    Map<String, List<Copy>> out = new HashMap<>();
    for (Repositories.Named r : repositories.all()) {
      Repository repo = r.repository();
      try {
        Set<String> ids = new HashSet<>(repo.ids());
        Map<String, BackupCatalog.Summary> summaries = repo.catalog().all();
        Map<String, Copies.Record> copies = repo.copies().all();
        for (String id : ids) {
          BackupCatalog.Summary s = summaries.get(id);
          boolean verified = s != null && s.verification().state() == Verification.State.VERIFIED;
          Copies.Record c = copies.get(id);
          out.computeIfAbsent(id, k -> new ArrayList<>()).add(new Copy(r.name(), verified,
              c == null ? null : c.copiedAt()));
        }
      } catch (RuntimeException e) {
        // unreachable: its copies are unknown; /api/v1/repositories says why
      }
    }
    return out;
  }

  /** Blocking: where one backup is. */
  List<Copy> location(String id) {
    List<Copy> out = new ArrayList<>();
    for (Repositories.Named r : repositories.all()) {
      Repository repo = r.repository();
      try {
        if (repo.exists(id)) {
          boolean verified = repo.catalog().get(id)
              .map(s -> s.verification().state() == Verification.State.VERIFIED).orElse(false);
          out.add(new Copy(r.name(), verified, repo.copies().get(id).map(Copies.Record::copiedAt).orElse(null)));
        }
      } catch (RuntimeException e) {
        // unreachable: its copy is unknown; /api/v1/repositories says why
      }
    }
    return out;
  }

  static JsonArray json(List<Copy> copies) {
    JsonArray a = new JsonArray();
    if (copies != null) {
      copies.forEach(c -> a.add(c.toJson()));
    }
    return a;
  }

  /** GET /api/v1/repositories. */
  void list(io.vertx.ext.web.RoutingContext rc) {
    Input.query(rc, List.of());
    states().onComplete(Http.json(rc, 200, states -> {
      JsonArray a = new JsonArray();
      states.forEach(s -> a.add(s.toJson()));
      return new JsonObject().put("repositories", a);
    }));
  }

  /**
   * Adds each repository's health to a health report; any problem fails the whole, and is one of the report's
   * {@code problems} (critical, first): {@code copy_failing} or {@code repository_unreachable}.
   */
  static Health.Report withRepositories(Health.Report report, List<State> states) {
    JsonArray a = new JsonArray();
    boolean ok = report.ok();
    JsonObject json = report.json().copy();
    JsonArray problems = json.getJsonArray("problems", new JsonArray());
    for (State s : states) {
      String problem = s.problem();
      JsonObject o = new JsonObject().put("repository", s.repo().name()).put("ok", problem == null);
      if (problem != null) {
        o.put("reason", problem);
        ok = false;
        boolean down = s.error() != null;
        problems.getList().add(0, new Problems.Problem(down ? "repository_unreachable" : "copy_failing",
            Problems.Severity.CRITICAL, null, problem, down ? "check that " + s.repo().location() + " is reachable"
                + " and writable" : "read the copy job's error (GET /api/v1/jobs?kind=copy); the next backup's copy"
                + " job, or a restart of the agent, copies the newest backup again",
            down ? null : s.copy().lastAttempt()).toJson());
      }
      a.add(o);
    }
    json.put("status", ok ? "ok" : "failing").put("repositories", a).put("problems", problems);
    return new Health.Report(ok, json);
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }
}
