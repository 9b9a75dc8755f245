package dev.cairn.cli;

import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Repository;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "show", description = "Show what a backup holds.")
final class ShowCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Parameters(index = "0", paramLabel = "ID|latest")
  String id;

  @Mixin RepoOptions repo;

  @Option(names = "--json", description = "print the whole manifest")
  boolean json;

  @Option(names = {"--database", "--name"}, paramLabel = "NAME", description = "with 'latest': the newest backup"
      + " of this name (the id's prefix); required when the repository holds backups of several names")
  String database;

  Clock clock = Clock.systemUTC();

  @Mixin KeyOptions keys;

  @Override
  public Integer call() {
    Repository r = repo.open().withKeys(repo.keys(keys.keys()));
    // show describes failed backups too: resolve only "latest" (good backups only)
    String resolved = "latest".equals(id) ? Backups.resolve(r, id, database, clock.instant()).id() : id;
    Latest.checkName(resolved, database);
    Backups.Entry e = Backups.read(r, resolved);
    if (!e.readable()) {
      throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, "backup " + id + " is damaged: " + e.damage());
    }
    Manifest m = e.manifest();
    PrintWriter out = cmd.commandLine().getOut();
    if (json) {
      out.println(m.toJson().encodePrettily());
      return 0;
    }
    out.printf("id:         %s%ndatabase:   %s (%s)%nserver:     PostgreSQL %s, pg_dump %s%nsnapshot:   %s at %s%n",
        m.id(), m.database(), m.encoding(), m.serverVersion(), m.pgDumpVersion(), m.snapshotId(), m.snapshotTime());
    out.printf("started:    %s%nfinished:   %s (%.1f s)%ntool:       cairn %s%n", m.started(), m.finished(),
        Duration.between(m.started(), m.finished()).toMillis() / 1000.0, m.toolVersion());
    out.printf("contents:   %d tables, %d rows, %s of COPY text, %d sequences, %d materialized views%n",
        m.tables().size(), m.totalRows(), Cli.bytes(m.totalRawBytes()), m.sequences().size(), m.matviews().size());
    out.printf("backup of:  %s%n", switch (m.content()) {
      case ALL -> "schema and data";
      case SCHEMA_ONLY -> "schema only (schema-only: no table data, large objects or sequence values)";
      case DATA_ONLY -> "data only (data-only: table data, large objects and sequence values; restores into"
          + " existing tables)";
    });
    out.printf("globals:    %s%n", m.globals() == null ? "none (taken before cairn captured roles and tablespaces)"
        : "roles and tablespaces (pg_dumpall " + m.globals().pgDumpallVersion() + ")"
            + (m.globals().rolePasswords() ? "" : ", without role passwords"));
    out.printf("archive:    %s%nstatus:     %s%n%n", Cli.bytes(e.bytes()), ListCommand.status(e));
    out.printf("%-50s %12s %6s %10s%n", "TABLE", "ROWS", "PARTS", "DATA");
    for (Manifest.Table t : m.tables()) {
      long raw = t.parts().stream().mapToLong(Manifest.Part::rawBytes).sum();
      out.printf("%-50s %12d %6d %10s%n", t.qualifiedName(), t.rows(), t.parts().size(), Cli.bytes(raw));
    }
    return 0;
  }
}
