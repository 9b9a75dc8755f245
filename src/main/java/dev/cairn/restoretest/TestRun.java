package dev.cairn.restoretest;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.archive.Sql;
import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.pgtools.LocalCluster;
import dev.cairn.storage.Scratch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.logging.Logger;

/**
 * What one restore test holds while it runs: the archive, the target (a server, or a local cluster), the
 * scratch database, the working directory. Confined to the test's context, and handed to the io pool in
 * order; {@link #cleanUp} gives everything back.
 */
final class TestRun {
  private static final Logger LOG = Logger.getLogger("cairn.restoretest");

  final String backupId;
  final String name;
  final String scratchName;
  ArchiveReader reader;
  Manifest manifest;
  LocalCluster cluster;
  ConnSpec admin;
  ConnSpec scratch;
  Scratch dir;
  /** Set once the restore may have created the scratch database. */
  boolean created;
  long restoreMs;

  TestRun(String backupId, String name, String scratchName) {
    this.backupId = backupId;
    this.name = name;
    this.scratchName = scratchName;
  }

  /**
   * Drops the scratch database (WITH (FORCE): a session left behind must not keep it) or removes the local
   * cluster, unless {@code keepFailed} keeps it for inspection; closes the archive and the working directory.
   * Never fails: the answer is what was kept (for the result), else null.
   */
  Future<String> cleanUp(Vertx vertx, Pools pools, boolean keepFailed) {
    boolean keep = keepFailed && created;
    Future<String> dropped;
    if (!created || admin == null) {
      dropped = Future.succeededFuture(null);
    } else if (keep) {
      dropped = Future.succeededFuture(cluster == null ? "database " + scratchName + " on " + admin.describe()
          : "local cluster in " + cluster.directory() + " (stopped), database " + scratchName);
    } else if (cluster != null) {
      dropped = Future.succeededFuture(null); // the whole cluster goes below
    } else {
      dropped = Db.query(vertx, admin, "DROP DATABASE IF EXISTS " + Sql.ident(scratchName) + " WITH (FORCE)",
          "cannot drop scratch database " + scratchName).map((String) null).recover(e -> {
            LOG.warning(() -> "[restore test " + backupId + "] " + e.getMessage() + " on " + admin.describe()
                + "; drop it by hand");
            return Future.succeededFuture(null);
          });
    }
    return dropped.compose(kept -> pools.io().executeBlocking(() -> {
      if (reader != null) {
        reader.close();
      }
      if (dir != null) {
        dir.close();
      }
      if (cluster != null) {
        if (keep) {
          cluster.stop();
        } else {
          cluster.close();
        }
      }
      return kept;
    }, false)).recover(e -> Future.succeededFuture(null));
  }
}
