package dev.cairn.restore;

import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Loops;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Runs the filtered globals script ({@link GlobalsScript}) on the target server, one statement at a time
 * (CREATE TABLESPACE cannot run inside a transaction block), through the maintenance database: the
 * restored database may not exist yet.
 */
final class GlobalsRestore {
  private static final Logger LOG = Logger.getLogger("cairn.restore");

  private GlobalsRestore() {}

  static Future<Void> apply(Vertx vertx, ConnSpec target, GlobalsScript g, String backupId) {
    if (g.newRoles().isEmpty() && g.newTablespaces().isEmpty()) {
      LOG.info(() -> "[restore " + backupId + "] every role and tablespace of the backup exists on "
          + target.describe());
      return Future.succeededFuture();
    }
    ConnSpec admin = target.withDatabase("postgres");
    return PgConnect.connect(vertx, admin)
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot connect to " + admin.describe())))
        .compose(c -> run(c, g.statements()).eventually(() -> c.close()))
        .onSuccess(v -> LOG.info(() -> "[restore " + backupId + "] created on " + target.describe() + ": "
            + (g.newRoles().isEmpty() ? "" : "roles " + String.join(", ", g.newRoles()))
            + (g.newTablespaces().isEmpty() ? "" : (g.newRoles().isEmpty() ? "" : "; ") + "tablespaces "
                + String.join(", ", g.newTablespaces().keySet()))));
  }

  /** One statement at a time, in a loop: a chain of futures would grow with the number of roles. */
  private static Future<Void> run(PgConnection c, List<String> statements) {
    int[] i = {0};
    return Loops.repeat(() -> {
      if (i[0] >= statements.size()) {
        return Future.succeededFuture(false);
      }
      String sql = statements.get(i[0]++);
      return c.query(sql).execute()
          // never the statement itself in the error: an ALTER ROLE may carry a password hash
          .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot run " + head(sql) + " from the backup's globals")))
          .map(true);
    });
  }

  /** The first three words, e.g. "CREATE ROLE app". */
  private static String head(String sql) {
    return SqlTokens.tokens(sql).stream().limit(3).map(t -> t.quoted() ? '"' + t.text() + '"' : t.text())
        .collect(Collectors.joining(" "));
  }
}
