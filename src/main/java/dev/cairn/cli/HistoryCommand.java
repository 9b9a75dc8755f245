package dev.cairn.cli;

import dev.cairn.jobs.Job;
import dev.cairn.jobs.JobHistory;
import dev.cairn.storage.Repository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "history", description = "Show the agent's job history from the repository (works without the agent).")
final class HistoryCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Mixin RepoOptions repo;

  @Option(names = "--limit", defaultValue = "50", description = "newest N jobs (default ${DEFAULT-VALUE})")
  int limit;

  @Option(names = "--json")
  boolean json;

  @Override
  public Integer call() {
    Repository r = repo.open();
    List<Job> all = new JobHistory(r.storage(), Integer.MAX_VALUE).read();
    List<Job> jobs = all.subList(Math.max(0, all.size() - limit), all.size());
    PrintWriter out = cmd.commandLine().getOut();
    if (json) {
      JsonArray a = new JsonArray();
      for (int i = jobs.size() - 1; i >= 0; i--) {
        a.add(jobs.get(i).toJson());
      }
      out.println(new JsonObject().put("jobs", a).encodePrettily());
      return 0;
    }
    out.printf("%-22s %-9s %-14s %-10s %-20s %8s %10s %s%n", "JOB", "KIND", "DATABASE", "STATE", "STARTED", "SECONDS",
        "ROWS", "BACKUP / ERROR");
    for (int i = jobs.size() - 1; i >= 0; i--) {
      Job j = jobs.get(i);
      String secs = j.started() != null && j.finished() != null
          ? String.format("%.1f", Duration.between(j.started(), j.finished()).toMillis() / 1000.0) : "";
      // where a failed job stopped: "PG_RESTORE_FAILED (building indexes): ..."
      String tail = j.errorMessage() != null
          ? j.errorCode() + (j.phase() == null ? "" : " (" + j.phase().label() + ")") + ": " + j.errorMessage()
          : j.backupId() == null ? "" : j.backupId();
      out.printf("%-22s %-9s %-14s %-10s %-20s %8s %10d %s%n", j.id(), j.kind().name().toLowerCase(Locale.ROOT),
          j.database(), j.state().name().toLowerCase(Locale.ROOT),
          j.started() == null ? "" : j.started().toString().substring(0, 19) + "Z", secs, j.rows(), tail);
    }
    return 0;
  }
}
