package dev.cairn.restore;

import dev.cairn.archive.Manifest;
import dev.cairn.archive.Sql;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.error.CairnException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a restore needs to know about its target, read without changing anything: the server, whether the
 * database exists and what it holds, the roles, tablespaces and available extensions, the data directory
 * (readable by superusers only; null otherwise), the parallel workers an index build gets by default and,
 * for a data-only restore, which tables are missing or hold rows. When the database does not exist the server is read through the maintenance database.
 */
record TargetFacts(int serverMajor, String serverVersion, boolean databaseExists, List<String> contents,
    Set<String> roles, Set<String> tablespaces, Set<String> availableExtensions, String dataDirectory,
    boolean superuser, List<String> missingTables, List<String> nonEmptyTables, int maintenanceWorkers) {

  private static final String SERVER = "SELECT current_setting('server_version_num')::int / 10000 AS major,"
      + " current_setting('server_version') AS version,"
      + " ARRAY(SELECT rolname::text FROM pg_roles) AS roles,"
      + " ARRAY(SELECT spcname::text FROM pg_tablespace) AS spcs,"
      + " ARRAY(SELECT name::text FROM pg_available_extensions) AS exts,"
      + " (SELECT setting FROM pg_settings WHERE name = 'data_directory') AS datadir,"
      + " (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS super,"
      + " current_setting('max_parallel_maintenance_workers')::int AS mpmw";

  private static final String CONTENTS = "SELECT"
      + " (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      + "   WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%') AS rels,"
      + " (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('information_schema', 'public')"
      + "   AND nspname NOT LIKE 'pg\\_%') AS schemas,"
      + " (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql') AS exts,"
      + " (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
      + "   WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%') AS funcs,"
      + " (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
      + "   WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
      + "   AND t.typtype IN ('e', 'd', 'r', 'm')) AS types,"
      + " (SELECT count(*) FROM pg_largeobject_metadata) AS los";

  /** Tables checked for rows per statement in a data-only restore. */
  private static final int BATCH = 200;

  /** Whether the target holds no user objects. */
  boolean empty() {
    return contents.isEmpty();
  }

  /**
   * {@code tables}: checked for existence and rows (a data-only restore); empty otherwise. Never throws;
   * a connection failure other than a missing database fails the future.
   */
  static Future<TargetFacts> read(Vertx vertx, ConnSpec target, List<Manifest.Table> tables) {
    return PgConnect.connect(vertx, target)
        .map(c -> new Object[] {c, true})
        .recover(e -> {
          CairnException ce = PgErrors.from(e, "cannot connect to " + target.describe());
          if (!"3D000".equals(ce.sqlState())) {
            return Future.failedFuture(ce);
          }
          ConnSpec admin = target.withDatabase("postgres");
          return PgConnect.connect(vertx, admin)
              .recover(x -> Future.failedFuture(PgErrors.from(x, "database " + target.database()
                  + " does not exist, and cannot connect to " + admin.describe() + " to read the server")))
              .map(c -> new Object[] {c, false});
        })
        .compose(o -> {
          PgConnection c = (PgConnection) o[0];
          boolean exists = (Boolean) o[1];
          return read(c, exists, tables)
              .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot inspect " + target.describe())))
              .eventually(() -> c.close());
        });
  }

  private static Future<TargetFacts> read(PgConnection c, boolean exists, List<Manifest.Table> tables) {
    return c.query(SERVER).execute().compose(server -> {
      Row s = server.iterator().next();
      Future<List<String>> contents = exists ? c.query(CONTENTS).execute().map(rs -> {
        Row r = rs.iterator().next();
        List<String> found = new ArrayList<>();
        String[][] what = {{"rels", "relations"}, {"schemas", "schemas"}, {"exts", "extensions"},
            {"funcs", "functions"}, {"types", "types"}, {"los", "large objects"}};
        for (String[] w : what) {
          long n = r.getLong(w[0]);
          if (n > 0) {
            found.add(n + " " + w[1]);
          }
        }
        return found;
      }) : Future.succeededFuture(List.of());
      List<String> missing = new ArrayList<>();
      List<String> nonEmpty = new ArrayList<>();
      Future<Void> checked = exists && !tables.isEmpty() ? tables(c, tables, missing, nonEmpty, 0)
          : Future.succeededFuture();
      return contents.compose(found -> checked.map(v -> new TargetFacts(s.getInteger("major"),
          s.getString("version"), exists, List.copyOf(found), strings(s, "roles"), strings(s, "spcs"),
          strings(s, "exts"), s.getString("datadir"), Boolean.TRUE.equals(s.getBoolean("super")),
          List.copyOf(missing), List.copyOf(nonEmpty), s.getInteger("mpmw"))));
    });
  }

  /** Missing tables by to_regclass; then one EXISTS per present table, a batch per statement. */
  private static Future<Void> tables(PgConnection c, List<Manifest.Table> tables, List<String> missing,
      List<String> nonEmpty, int from) {
    if (from >= tables.size()) {
      return Future.succeededFuture();
    }
    List<Manifest.Table> batch = tables.subList(from, Math.min(tables.size(), from + BATCH));
    String[] names = batch.stream().map(Manifest.Table::sqlName).toArray(String[]::new);
    return c.preparedQuery("SELECT n FROM unnest($1::text[]) n WHERE to_regclass(n) IS NULL")
        .execute(Tuple.of(names))
        .compose(rs -> {
          Set<String> absent = new HashSet<>();
          rs.forEach(r -> absent.add(r.getString(0)));
          List<String> parts = new ArrayList<>();
          for (Manifest.Table t : batch) {
            if (absent.contains(t.sqlName())) {
              missing.add(t.qualifiedName());
            } else {
              parts.add("SELECT " + Sql.literal(t.qualifiedName()) + " WHERE EXISTS (SELECT 1 FROM ONLY " + t.sqlName()
                  + ")");
            }
          }
          return parts.isEmpty() ? Future.<Void>succeededFuture()
              : c.query(String.join(" UNION ALL ", parts)).execute().<Void>map(x -> {
                x.forEach(r -> nonEmpty.add(r.getString(0)));
                return null;
              });
        })
        .compose(v -> tables(c, tables, missing, nonEmpty, from + BATCH));
  }

  private static Set<String> strings(Row r, String column) {
    String[] a = r.getArrayOfStrings(column);
    return a == null ? Set.of() : Set.copyOf(Arrays.asList(a));
  }
}
