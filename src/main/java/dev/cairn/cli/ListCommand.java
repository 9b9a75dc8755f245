package dev.cairn.cli;

import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "List the backups of a repository, newest first.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Mixin RepoOptions repo;

  @Option(names = "--json")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = cmd.commandLine().getOut();
    var entries = Backups.list(repo.open());
    if (json) {
      JsonArray a = new JsonArray();
      for (Backups.Entry e : entries) {
        JsonObject o = new JsonObject().put("id", e.id()).put("bytes", e.bytes())
            .put("status", e.status()).put("verification", e.verification().toJson());
        if (e.readable()) {
          var m = e.summary();
          o.put("database", m.database()).put("started", m.started().toString()).put("finished", m.finished().toString())
              .put("tables", m.tables()).put("rows", m.rows()).put("rawBytes", m.rawBytes());
        } else {
          o.put("error", e.damage());
        }
        a.add(o);
      }
      out.println(new JsonObject().put("backups", a).encodePrettily());
      return 0;
    }
    out.printf("%-40s %-16s %-20s %7s %12s %10s %s%n", "ID", "DATABASE", "FINISHED", "TABLES", "ROWS", "SIZE", "STATUS");
    for (Backups.Entry e : entries) {
      if (e.readable()) {
        var m = e.summary();
        out.printf("%-40s %-16s %-20s %7d %12d %10s %s%n", e.id(), m.database(),
            m.finished().toString().substring(0, 19) + "Z", m.tables(), m.rows(), Cli.bytes(e.bytes()), status(e));
      } else {
        out.printf("%-40s %-16s %-20s %7s %12s %10s damaged: %s%n", e.id(), "?", "?", "?", "?", Cli.bytes(e.bytes()),
            e.damage());
      }
    }
    return 0;
  }

  /** "ok, verified 2026-12-01T02:10Z", "ok, unverified", "FAILED verify 2026-...: table ..., chunk 3 ...". */
  static String status(Backups.Entry e) {
    Verification v = e.verification();
    return switch (v.state()) {
      case UNVERIFIED -> "ok, unverified";
      case VERIFIED -> "ok, verified " + v.at().toString().substring(0, 16) + "Z";
      case RESTORE_TESTED -> "ok, restore-tested " + v.at().toString().substring(0, 16) + "Z";
      case FAILED -> "FAILED verify " + v.at().toString().substring(0, 16) + "Z: " + v.problem();
    };
  }
}
