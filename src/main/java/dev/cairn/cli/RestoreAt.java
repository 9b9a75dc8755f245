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
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cairn restore --at TIME --cluster NAME --database DB [--table S.T ...] --db TARGET}: the cluster as of
 * TIME in a temporary cluster (point-in-time recovery), a logical backup of the chosen tables of DB from it into
 * a scratch repository, the temporary cluster removed, and the ordinary restore of that backup into TARGET; the
 * scratch repository is removed whatever happens. SIGINT/SIGTERM stop it ({@link RestoreAtStop}).
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
    ConnSpec into = ConnSpec.parse(targetDb);
    err.printf("restoring cluster %s as of %s into a temporary cluster ...%n", cluster, target);
    List<String> created = new ArrayList<>();
    boolean restoring = false;
    try (RestoreAtStop stop = RestoreAtStop.install(err)) {
      try (Scratch scratch = Scratch.create("cairn-at-repo-")) {
        stop.scratch(scratch.file("repo").getParent());
        Dumper.Result r;
        try (TempCluster temp = stop.starting(() -> TempCluster.start(store, target, PitrCommand.self(), pgBin,
            stop::created))) {
          ConnSpec source = ConnSpec.parse(temp.conninfo(database, temp.superuser()));
          if (!tables.isEmpty()) {
            // tables into a live database: those missing there (dropped) get their definition first, then the
            // rows travel as a data-only backup, which loads only into existing, empty tables
            stop.check();
            created.addAll(TableSchema.createMissing(source, into, tables, pgBin));
            created.forEach(t -> err.printf("created table %s in the target from its definition as of %s%n", t, target));
          }
          stop.check();
          r = backUp(source, Repository.openForWrite(scratch.file("repo")), database, tables, jobs, pgBin);
        } finally {
          stop.serverClosed();
        }
        err.printf("backup %s of database %s as of %s: %d tables%n", r.id(), database, target, r.manifest().tables().size());
        stop.check();
        restoring = true;
        return restore.restore(scratch.file("repo"), r.id());
      } catch (RuntimeException e) {
        if (!stop.stopped()) {
          throw e;
        }
        throw cancelled(e, "restore --at of cluster " + cluster + " as of " + target + " was cancelled by a signal",
            into.database(), created, restoring);
      } finally {
        stop.scratch(null);
      }
    }
  }

  /**
   * What a signal left: the restore's own account once it had begun (the target "left partly restored" once it wrote
   * there), else the tables created in the target, else nothing.
   */
  private static CairnException cancelled(RuntimeException e, String what, String db, List<String> created,
      boolean restoring) {
    if (restoring) {
      CairnException ce = CairnException.wrap(e, ErrorCode.CANCELLED, "restore");
      return new CairnException(ErrorCode.CANCELLED, what + ": " + ce.getMessage(), ce.hint(), ce.sqlState(), e);
    }
    if (created.isEmpty()) {
      return new CairnException(ErrorCode.CANCELLED, what + "; nothing was restored into database " + db, null, null, e);
    }
    return new CairnException(ErrorCode.CANCELLED, what + "; table" + (created.size() == 1 ? " " : "s ")
        + String.join(", ", created) + " created in database " + db + " left empty",
        "restore --at again fills them (or drop them)", null, e);
  }

  /** The logical backup of the database (or its tables) from the temporary cluster; a signal cancels it. */
  private static Dumper.Result backUp(ConnSpec source, Repository staging, String database, List<String> tables,
      int jobs, Path pgBin) {
    Dumper.Options opts = new Dumper.Options(jobs, new TableFilter(tables, List.of()), Dumper.Options.DEFAULT_SPLIT_BYTES,
        Dumper.Options.DEFAULT_CHUNK_BYTES, Dumper.Options.DEFAULT_LOCK_TIMEOUT_MS, pgBin, database,
        tables.isEmpty() ? Manifest.Content.ALL : Manifest.Content.DATA_ONLY);
    Runnable[] cancel = new Runnable[1];
    return Cli.await(jobs, (vertx, pools) -> {
      Dumper dumper = new Dumper(vertx, pools, source, staging, opts, Clock.systemUTC());
      cancel[0] = dumper::cancel;
      return dumper.run();
    }, cancel);
  }

  @FunctionalInterface
  interface RestoreStep {
    int restore(Path repo, String id);
  }

}
