package dev.cairn.cli;

import dev.cairn.conn.ConnSpec;
import dev.cairn.dump.Dumper;
import dev.cairn.dump.TableFilter;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.archive.Manifest;
import dev.cairn.pitr.PitrStore;
import dev.cairn.pitr.Target;
import dev.cairn.pitr.TableSchema;
import dev.cairn.pitr.TempCluster;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Scratch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * {@code cairn restore --at TIME --cluster NAME --database DB [--table S.T ...] --db TARGET}: the cluster as of
 * TIME in a temporary cluster (point-in-time recovery), a logical backup of the chosen tables of DB from it into
 * a scratch repository, and the ordinary restore of that backup into TARGET; the temporary cluster and the
 * scratch repository are removed whatever happens.
 */
final class RestoreAt {
  private RestoreAt() {}

  /** {@code restore}: runs the ordinary restore of the backup (repository, id) it is given. */
  static int run(Path repo, String cluster, String at, String database, List<String> tables, String targetDb, int jobs,
      Path pgBin, PrintWriter err, RestoreStep restore) {
    if (cluster == null || database == null) {
      throw new CairnException(ErrorCode.USAGE, "--at needs --cluster (whose WAL to replay) and --database (the"
          + " database to take the tables from)");
    }
    PitrStore store = new PitrStore(LocalStorage.open(repo), cluster);
    Target target = Target.parse(at);
    err.printf("restoring cluster %s as of %s into a temporary cluster ...%n", cluster, target);
    try (TempCluster temp = TempCluster.start(store, target, PitrCommand.self(), pgBin);
        Scratch scratch = Scratch.create("cairn-at-repo-")) {
      ConnSpec source = ConnSpec.parse(temp.conninfo(database, temp.superuser()));
      Repository staging = Repository.openForWrite(scratch.file("repo"));
      if (!tables.isEmpty()) {
        // tables into a live database: those missing there (dropped) get their definition first, then the
        // rows travel as a data-only backup, which loads only into existing, empty tables
        List<String> created = TableSchema.createMissing(source, ConnSpec.parse(targetDb), tables, pgBin);
        created.forEach(t -> err.printf("created table %s in the target from its definition as of %s%n", t, target));
      }
      Dumper.Options opts = new Dumper.Options(jobs, new TableFilter(tables, List.of()), Dumper.Options.DEFAULT_SPLIT_BYTES,
          Dumper.Options.DEFAULT_CHUNK_BYTES, Dumper.Options.DEFAULT_LOCK_TIMEOUT_MS, pgBin, database,
          tables.isEmpty() ? Manifest.Content.ALL : Manifest.Content.DATA_ONLY);
      Dumper.Result r = Cli.await(jobs, (vertx, pools) -> new Dumper(vertx, pools, source, staging, opts,
          Clock.systemUTC()).run(), null);
      err.printf("backup %s of database %s as of %s: %d tables%n", r.id(), database, target, r.manifest().tables().size());
      return restore.restore(scratch.file("repo"), r.id());
    }
  }

  @FunctionalInterface
  interface RestoreStep {
    int restore(Path repo, String id);
  }

}
