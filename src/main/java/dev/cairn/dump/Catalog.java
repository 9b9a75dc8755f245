package dev.cairn.dump;

import dev.cairn.archive.Manifest;
import dev.cairn.archive.Sql;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;

import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Catalog queries of the dump leader, all run on its (vertx-pg-client) connection. */
final class Catalog {
  private Catalog() {}

  /** A relation the dump will read; relkind 'r' holds rows, 'p' (partitioned parent) only gets locked. */
  record Rel(long oid, String schema, String name, char relkind) {
    String sqlName() {
      return Sql.ident(schema) + "." + Sql.ident(name);
    }

    String qualifiedName() {
      return schema + "." + name;
    }
  }

  /**
   * A table with rows, as seen inside the snapshot. {@code bytes}: its heap; {@code toastBytes}: its TOAST
   * table, where long values live (a table of documents may be mostly TOAST).
   */
  record TableInfo(long oid, String schema, String name, boolean unlogged, long bytes, long toastBytes,
      int blockSize, List<String> columns, List<String> indexes, List<Manifest.ForeignKey> foreignKeys,
      ExtConfig extConfig) {
    TableInfo(long oid, String schema, String name, boolean unlogged, long bytes, long toastBytes, int blockSize,
        List<String> columns, List<String> indexes, List<Manifest.ForeignKey> foreignKeys) {
      this(oid, schema, name, unlogged, bytes, toastBytes, blockSize, columns, indexes, foreignKeys, null);
    }

    /** What copying the whole table reads: heap and TOAST. */
    long dataBytes() {
      return bytes + toastBytes;
    }
  }

  /**
   * A configuration table of an extension ({@code pg_extension_config_dump}): created by CREATE EXTENSION,
   * but the rows the user adds are data. {@code condition}: the WHERE clause the extension registered to
   * leave out its own rows ("" for all rows), as pg_dump applies it.
   */
  record ExtConfig(String extension, String condition) {}

  // Extension member objects are created by CREATE EXTENSION, not dumped (as pg_dump does by default),
  // except the data of the extension's configuration tables and sequences.
  private static final String NOT_EXTENSION_MEMBER =
      "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
          + " AND d.deptype = 'e')";
  private static final String EXTENSION_CONFIG = "c.oid IN (SELECT unnest(extconfig) FROM pg_extension)";
  private static final String DUMPED = "(" + NOT_EXTENSION_MEMBER + " OR " + EXTENSION_CONFIG + ")";
  private static final String USER_SCHEMA =
      "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'";

  static Future<List<Rel>> relations(SqlConnection c, TableFilter filter) {
    return c.query("SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name,"
            + " c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND " + USER_SCHEMA + " AND " + DUMPED
            + " ORDER BY n.nspname, c.relname")
        .execute()
        .map(rs -> {
          List<Rel> out = new ArrayList<>();
          for (Row r : rs) {
            Rel rel = new Rel(r.getLong("oid"), r.getString("schema"), r.getString("name"), r.getString("kind").charAt(0));
            if (filter.matches(rel.schema(), rel.name())) {
              out.add(rel);
            }
          }
          return out;
        });
  }

  static Future<List<TableInfo>> tables(SqlConnection c, List<Rel> rels) {
    Long[] oids = rels.stream().filter(r -> r.relkind() == 'r').map(Rel::oid).toArray(Long[]::new);
    return c.preparedQuery("SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name,"
            + " c.relpersistence = 'u' AS unlogged, pg_relation_size(c.oid) AS bytes,"
            + " CASE WHEN c.reltoastrelid <> 0 THEN pg_relation_size(c.reltoastrelid) ELSE 0 END AS toast_bytes,"
            + " current_setting('block_size')::int AS block_size,"
            + " coalesce((SELECT array_agg(a.attname::text ORDER BY a.attnum) FROM pg_attribute a"
            + "   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''),"
            + "   '{}') AS cols,"
            + " coalesce((SELECT array_agg(ic.relname::text ORDER BY ic.relname) FROM pg_index i"
            + "   JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = c.oid), '{}') AS idx,"
            + " coalesce((SELECT json_agg(json_build_array(co.conname, rn.nspname, rc.relname)"
            + "   ORDER BY co.conname) FROM pg_constraint co JOIN pg_class rc ON rc.oid = co.confrelid"
            + "   JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE co.conrelid = c.oid AND co.contype = 'f'),"
            + "   '[]')::text AS fks,"
            + " e.extname::text AS ext, coalesce(e.extcondition[array_position(e.extconfig, c.oid)], '') AS ext_cond"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN pg_extension e ON c.oid = ANY (e.extconfig)"
            + " WHERE c.oid = ANY($1::int8[]::oid[]) ORDER BY n.nspname, c.relname")
        .execute(Tuple.of(oids))
        .map(rs -> {
          List<TableInfo> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new TableInfo(r.getLong("oid"), r.getString("schema"), r.getString("name"),
                r.getBoolean("unlogged"), r.getLong("bytes"), r.getLong("toast_bytes"), r.getInteger("block_size"),
                List.of(r.getArrayOfStrings("cols")), List.of(r.getArrayOfStrings("idx")),
                foreignKeys(new io.vertx.core.json.JsonArray(r.getString("fks"))),
                r.getString("ext") == null ? null : new ExtConfig(r.getString("ext"), r.getString("ext_cond"))));
          }
          return out;
        });
  }

  /** [[constraint, schema, table], ...] */
  private static List<Manifest.ForeignKey> foreignKeys(io.vertx.core.json.JsonArray a) {
    List<Manifest.ForeignKey> out = new ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      io.vertx.core.json.JsonArray fk = a.getJsonArray(i);
      out.add(new Manifest.ForeignKey(fk.getString(0), fk.getString(1), fk.getString(2)));
    }
    return out;
  }

  /**
   * Sequences and their values inside the snapshot: all of them, or with a filter the matching ones and
   * those owned by a dumped table.
   */
  static Future<List<Manifest.Sequence>> sequences(SqlConnection c, TableFilter filter, Set<Long> tableOids) {
    return c.query("SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name,"
            + " o.oid::int8 AS owner, o.nspname::text AS owner_schema, o.relname::text AS owner_name"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN LATERAL (SELECT t.oid, tn.nspname, t.relname FROM pg_depend d JOIN pg_class t"
            + "   ON t.oid = d.refobjid JOIN pg_namespace tn ON tn.oid = t.relnamespace"
            + "   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass"
            + "   AND d.deptype IN ('a', 'i') LIMIT 1) o ON true"
            + " WHERE c.relkind = 'S' AND " + USER_SCHEMA + " AND " + DUMPED
            + " ORDER BY n.nspname, c.relname")
        .execute()
        .compose(rs -> {
          List<String[]> seqs = new ArrayList<>();
          for (Row r : rs) {
            Long owner = r.getLong("owner");
            String schema = r.getString("schema");
            String name = r.getString("name");
            if (filter.isAll() || filter.matches(schema, name) || (owner != null && tableOids.contains(owner))) {
              seqs.add(new String[] {schema, name, r.getString("owner_schema"), r.getString("owner_name")});
            }
          }
          return sequenceValues(c, seqs, 0, new ArrayList<>());
        });
  }

  private static Future<List<Manifest.Sequence>> sequenceValues(SqlConnection c, List<String[]> seqs, int from,
      List<Manifest.Sequence> acc) {
    if (from >= seqs.size()) {
      return Future.succeededFuture(acc);
    }
    int to = Math.min(seqs.size(), from + 200);
    StringBuilder q = new StringBuilder();
    for (int i = from; i < to; i++) {
      if (i > from) {
        q.append(" UNION ALL ");
      }
      q.append("SELECT ").append(i).append(" AS i, last_value, is_called FROM ")
          .append(Sql.ident(seqs.get(i)[0])).append('.').append(Sql.ident(seqs.get(i)[1]));
    }
    return c.query(q.toString()).execute().compose(rs -> {
      for (Row r : rs) {
        String[] s = seqs.get(r.getInteger("i"));
        acc.add(new Manifest.Sequence(s[0], s[1], r.getLong("last_value"), r.getBoolean("is_called"), s[2], s[3]));
      }
      return sequenceValues(c, seqs, to, acc);
    });
  }

  /** Materialized views in an order where each comes after the ones it reads (through views too). */
  static Future<List<Manifest.Matview>> matviews(SqlConnection c, TableFilter filter) {
    Future<List<Row>> views = c.query("SELECT c.oid::int8 AS oid, n.nspname::text AS schema,"
            + " c.relname::text AS name, c.relispopulated AS populated"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'm' AND " + USER_SCHEMA + " AND " + NOT_EXTENSION_MEMBER)
        .execute().map(rs -> {
          List<Row> out = new ArrayList<>();
          rs.forEach(out::add);
          return out;
        });
    Future<List<long[]>> deps = c.query("WITH RECURSIVE d(mv, ref) AS ("
            + " SELECT r.ev_class, dep.refobjid FROM pg_rewrite r JOIN pg_depend dep"
            + "   ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid"
            + "   AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid <> r.ev_class"
            + "   JOIN pg_class m ON m.oid = r.ev_class AND m.relkind = 'm'"
            + " UNION"
            + " SELECT d.mv, dep.refobjid FROM d JOIN pg_class v ON v.oid = d.ref AND v.relkind = 'v'"
            + "   JOIN pg_rewrite r ON r.ev_class = v.oid JOIN pg_depend dep"
            + "   ON dep.classid = 'pg_rewrite'::regclass AND dep.objid = r.oid"
            + "   AND dep.refclassid = 'pg_class'::regclass AND dep.refobjid <> v.oid)"
            + " SELECT DISTINCT d.mv::int8 AS mv, d.ref::int8 AS ref FROM d"
            + " JOIN pg_class c ON c.oid = d.ref AND c.relkind = 'm'")
        .execute().map(rs -> {
          List<long[]> out = new ArrayList<>();
          rs.forEach(r -> out.add(new long[] {r.getLong("mv"), r.getLong("ref")}));
          return out;
        });
    return Future.all(views, deps).map(v -> {
      Map<Long, Manifest.Matview> byOid = new LinkedHashMap<>();
      List<Row> rows = new ArrayList<>(views.result());
      rows.sort(Comparator.comparing((Row r) -> r.getString("schema")).thenComparing(r -> r.getString("name")));
      for (Row r : rows) {
        if (filter.matches(r.getString("schema"), r.getString("name"))) {
          byOid.put(r.getLong("oid"),
              new Manifest.Matview(r.getString("schema"), r.getString("name"), r.getBoolean("populated")));
        }
      }
      return topoSort(byOid, deps.result());
    });
  }

  /** Kahn's algorithm; keeps catalog (name) order among independent views. */
  static List<Manifest.Matview> topoSort(Map<Long, Manifest.Matview> byOid, List<long[]> deps) {
    Map<Long, Set<Long>> needs = new HashMap<>();
    Map<Long, List<Long>> users = new HashMap<>();
    for (long[] d : deps) {
      if (byOid.containsKey(d[0]) && byOid.containsKey(d[1])) {
        needs.computeIfAbsent(d[0], k -> new HashSet<>()).add(d[1]);
        users.computeIfAbsent(d[1], k -> new ArrayList<>()).add(d[0]);
      }
    }
    List<Manifest.Matview> out = new ArrayList<>();
    Deque<Long> ready = new ArrayDeque<>();
    byOid.keySet().stream().filter(o -> !needs.containsKey(o)).forEach(ready::add);
    Set<Long> done = new HashSet<>();
    while (!ready.isEmpty()) {
      long o = ready.poll();
      done.add(o);
      out.add(byOid.get(o));
      for (long u : users.getOrDefault(o, List.of())) {
        Set<Long> n = needs.get(u);
        n.remove(o);
        if (n.isEmpty() && !done.contains(u)) {
          ready.add(u);
        }
      }
    }
    // A cycle cannot exist between materialized views; keep any leftover rather than drop it.
    byOid.forEach((o, m) -> {
      if (!done.contains(o)) {
        out.add(m);
      }
    });
    return out;
  }

}
