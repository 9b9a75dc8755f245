package dev.cairn.cli;

import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "list", description = "List the backups of a repository, newest first.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Option(names = "--repo", required = true, paramLabel = "DIR")
  Path repo;

  @Option(names = "--json")
  boolean json;

  @Override
  public Integer call() {
    PrintWriter out = cmd.commandLine().getOut();
    var entries = Backups.list(Repository.open(repo));
    if (json) {
      JsonArray a = new JsonArray();
      for (Backups.Entry e : entries) {
        JsonObject o = new JsonObject().put("id", e.id()).put("bytes", e.bytes())
            .put("status", e.readable() ? "ok" : "damaged");
        if (e.readable()) {
          var m = e.manifest();
          o.put("database", m.database()).put("started", m.started().toString()).put("finished", m.finished().toString())
              .put("tables", m.tables().size()).put("rows", m.totalRows()).put("rawBytes", m.totalRawBytes());
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
        var m = e.manifest();
        out.printf("%-40s %-16s %-20s %7d %12d %10s ok%n", e.id(), m.database(),
            m.finished().toString().substring(0, 19) + "Z", m.tables().size(), m.totalRows(), Cli.bytes(e.bytes()));
      } else {
        out.printf("%-40s %-16s %-20s %7s %12s %10s damaged: %s%n", e.id(), "?", "?", "?", "?", Cli.bytes(e.bytes()),
            e.damage());
      }
    }
    return 0;
  }
}
