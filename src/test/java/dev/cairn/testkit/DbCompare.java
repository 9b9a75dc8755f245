package dev.cairn.testkit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Compares two databases the way a restore must be judged: same schema (pg_dump --schema-only), same
 * rows in every table (order-independent), same sequence states, same large objects, same
 * materialized-view population and contents. Rows are compared as COPY text lines, first by count and
 * an order-independent 128-bit hash, and only on a mismatch row by row to name the differing rows.
 */
public final class DbCompare {

  private static final int MAX_REPORTED = 20;
  private static final int MAX_ROW_CHARS = 300;

  /** Ordinary tables (incl. partitions, unlogged tables and inheritance parents) outside system schemas. */
  private static final String USER_RELATIONS = "SELECT format('%%I.%%I', n.nspname, c.relname)"
      + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      + " WHERE c.relkind = '%s' AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
      + " AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' ORDER BY 1";

  private DbCompare() {}

  /** Fails with every difference found (the first {@value #MAX_REPORTED}) unless the databases match. */
  public static void assertSameDatabase(PgCluster c, String srcDb, String dstDb) {
    assertSameDatabase(c, srcDb, c, dstDb);
  }

  /** As {@link #assertSameDatabase(PgCluster, String, String)} for databases on two clusters. */
  public static void assertSameDatabase(PgCluster srcCluster, String srcDb, PgCluster dstCluster,
      String dstDb) {
    List<String> diffs = differences(srcCluster, srcDb, dstCluster, dstDb);
    if (!diffs.isEmpty()) {
      StringBuilder sb = new StringBuilder("database ").append(dstDb).append(" differs from ")
          .append(srcDb).append(" (").append(diffs.size()).append(" difference(s)):");
      diffs.stream().limit(MAX_REPORTED).forEach(d -> sb.append("\n- ").append(d));
      if (diffs.size() > MAX_REPORTED) {
        sb.append("\n- ... and ").append(diffs.size() - MAX_REPORTED).append(" more");
      }
      throw new AssertionError(sb.toString());
    }
  }

  /** Every difference between the two databases, as one readable line (or few) each; empty if same. */
  public static List<String> differences(PgCluster srcCluster, String srcDb, PgCluster dstCluster,
      String dstDb) {
    List<String> diffs = new ArrayList<>();
    String schemaDiff = firstDifference(srcCluster.schemaDump(srcDb), dstCluster.schemaDump(dstDb));
    if (schemaDiff != null) {
      diffs.add("schema (pg_dump --schema-only) " + schemaDiff);
    }
    try (Connection src = srcCluster.connect(srcDb); Connection dst = dstCluster.connect(dstDb)) {
      compareRelations(src, dst, "r", "table", "COPY (SELECT * FROM ONLY %s) TO STDOUT", diffs);
      compareMatviews(src, dst, diffs);
      compareSequences(src, dst, diffs);
      compareLargeObjects(src, dst, diffs);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot compare " + srcDb + " with " + dstDb + ": " + e.getMessage()
          + " (SQLSTATE " + e.getSQLState() + ")", e);
    }
    return diffs;
  }

  /** Exact row counts ({@code FROM ONLY}) of every user table, by quoted qualified name, sorted. */
  public static Map<String, Long> tableRowCounts(PgCluster c, String db) {
    Map<String, Long> counts = new LinkedHashMap<>();
    try (Connection conn = c.connect(db); Statement st = conn.createStatement()) {
      for (String t : names(conn, "r")) {
        try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + t)) {
          rs.next();
          counts.put(t, rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot count rows in " + db + ": " + e.getMessage(), e);
    }
    return counts;
  }

  // ---------------------------------------------------------------------------------- internals

  /** "differs at line N: ..." with both lines, or null when equal. */
  static String firstDifference(String a, String b) {
    if (a.equals(b)) {
      return null;
    }
    String[] la = a.split("\n", -1);
    String[] lb = b.split("\n", -1);
    int n = Math.min(la.length, lb.length);
    int i = 0;
    while (i < n && la[i].equals(lb[i])) {
      i++;
    }
    StringBuilder sb = new StringBuilder("differs at line ").append(i + 1).append(':');
    for (int k = Math.max(0, i - 3); k < i; k++) {
      sb.append("\n      ").append(la[k]);
    }
    sb.append("\n  src: ").append(i < la.length ? la[i] : "<end of dump>");
    sb.append("\n  dst: ").append(i < lb.length ? lb[i] : "<end of dump>");
    return sb.toString();
  }

  private static void compareRelations(Connection src, Connection dst, String relkind, String what,
      String copyTemplate, List<String> diffs) throws SQLException {
    List<String> srcNames = names(src, relkind);
    List<String> dstNames = names(dst, relkind);
    reportMissing(what, srcNames, dstNames, diffs);
    for (String t : srcNames) {
      if (dstNames.contains(t)) {
        compareRows(src, dst, what + " " + t, String.format(copyTemplate, t), diffs);
      }
    }
  }

  private static void compareMatviews(Connection src, Connection dst, List<String> diffs)
      throws SQLException {
    String q = "SELECT format('%I.%I', n.nspname, c.relname), c.relispopulated FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm' ORDER BY 1";
    Map<String, String> a = map(src, q);
    Map<String, String> b = map(dst, q);
    reportMissing("materialized view", new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()), diffs);
    for (Map.Entry<String, String> e : a.entrySet()) {
      String other = b.get(e.getKey());
      if (other == null) {
        continue;
      }
      if (!other.equals(e.getValue())) {
        diffs.add("materialized view " + e.getKey() + ": relispopulated is " + e.getValue() + " in src, "
            + other + " in dst");
      } else if ("t".equals(other)) {
        compareRows(src, dst, "materialized view " + e.getKey(),
            "COPY (SELECT * FROM " + e.getKey() + ") TO STDOUT", diffs);
      }
    }
  }

  private static void compareSequences(Connection src, Connection dst, List<String> diffs)
      throws SQLException {
    Map<String, String> a = sequences(src);
    Map<String, String> b = sequences(dst);
    reportMissing("sequence", new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()), diffs);
    a.forEach((name, state) -> {
      String other = b.get(name);
      if (other != null && !other.equals(state)) {
        diffs.add("sequence " + name + ": src " + state + ", dst " + other);
      }
    });
  }

  private static Map<String, String> sequences(Connection conn) throws SQLException {
    Map<String, String> m = new TreeMap<>();
    try (Statement st = conn.createStatement()) {
      for (String s : names(conn, "S")) {
        try (ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + s)) {
          rs.next();
          m.put(s, "last_value=" + rs.getString(1) + " is_called=" + rs.getBoolean(2));
        }
      }
    }
    return m;
  }

  private static void compareLargeObjects(Connection src, Connection dst, List<String> diffs)
      throws SQLException {
    String q = "SELECT l.oid::text, concat_ws(' ', 'md5=' || md5(lo_get(l.oid)),"
        + " 'owner=' || pg_get_userbyid(l.lomowner), 'acl=' || l.lomacl::text,"
        + " 'comment=' || quote_literal(obj_description(l.oid, 'pg_largeobject')))"
        + " FROM pg_largeobject_metadata l ORDER BY l.oid";
    Map<String, String> a = map(src, q);
    Map<String, String> b = map(dst, q);
    reportMissing("large object", new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()), diffs);
    a.forEach((oid, desc) -> {
      String other = b.get(oid);
      if (other != null && !other.equals(desc)) {
        diffs.add("large object " + oid + ": src " + desc + ", dst " + other);
      }
    });
  }

  private static void reportMissing(String what, List<String> src, List<String> dst, List<String> diffs) {
    TreeSet<String> onlySrc = new TreeSet<>(src);
    onlySrc.removeAll(dst);
    TreeSet<String> onlyDst = new TreeSet<>(dst);
    onlyDst.removeAll(src);
    if (!onlySrc.isEmpty()) {
      diffs.add(what + "(s) only in src: " + String.join(", ", onlySrc));
    }
    if (!onlyDst.isEmpty()) {
      diffs.add(what + "(s) only in dst: " + String.join(", ", onlyDst));
    }
  }

  private static void compareRows(Connection src, Connection dst, String label, String copySql,
      List<String> diffs) throws SQLException {
    Digest a = digest(src, copySql);
    Digest b = digest(dst, copySql);
    if (a.equals(b)) {
      return;
    }
    // slow path, only on a mismatch: load both sides and name the differing rows
    Map<String, Integer> counts = new HashMap<>();
    List<String> srcRows = rows(src, copySql);
    List<String> dstRows = rows(dst, copySql);
    srcRows.forEach(r -> counts.merge(r, 1, Integer::sum));
    dstRows.forEach(r -> counts.merge(r, -1, Integer::sum));
    List<String> onlySrc = new ArrayList<>();
    List<String> onlyDst = new ArrayList<>();
    for (String r : srcRows) {
      if (counts.getOrDefault(r, 0) > 0) {
        onlySrc.add(r);
        counts.merge(r, -1, Integer::sum);
      }
    }
    for (String r : dstRows) {
      if (counts.getOrDefault(r, 0) < 0) {
        onlyDst.add(r);
        counts.merge(r, 1, Integer::sum);
      }
    }
    StringBuilder sb = new StringBuilder(label).append(": ").append(srcRows.size())
        .append(" row(s) in src, ").append(dstRows.size()).append(" in dst; ")
        .append(onlySrc.size()).append(" only in src, ").append(onlyDst.size()).append(" only in dst");
    if (!onlySrc.isEmpty()) {
      sb.append("\n    first only in src: ").append(show(onlySrc.get(0)));
    }
    if (!onlyDst.isEmpty()) {
      sb.append("\n    first only in dst: ").append(show(onlyDst.get(0)));
    }
    diffs.add(sb.toString());
  }

  private static String show(String row) {
    String r = row.isEmpty() ? "<zero-column row>" : row;
    return r.length() <= MAX_ROW_CHARS ? r : r.substring(0, MAX_ROW_CHARS) + "...";
  }

  /** Row count plus two 64-bit sums of per-row SHA-256 prefixes: equal for equal multisets of rows. */
  private record Digest(long count, long sum1, long sum2) {}

  private static Digest digest(Connection conn, String copySql) throws SQLException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long count = 0;
    long s1 = 0;
    long s2 = 0;
    CopyOut out = conn.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql);
    byte[] row;
    while ((row = out.readFromCopy()) != null) {
      ByteBuffer h = ByteBuffer.wrap(md.digest(row));
      s1 += h.getLong();
      s2 += h.getLong();
      count++;
    }
    return new Digest(count, s1, s2);
  }

  private static List<String> rows(Connection conn, String copySql) throws SQLException {
    List<String> rows = new ArrayList<>();
    CopyOut out = conn.unwrap(PGConnection.class).getCopyAPI().copyOut(copySql);
    byte[] row;
    while ((row = out.readFromCopy()) != null) {
      String s = new String(row, StandardCharsets.UTF_8);
      rows.add(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
    }
    return rows;
  }

  private static List<String> names(Connection conn, String relkind) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement st = conn.createStatement();
        ResultSet rs = st.executeQuery(String.format(USER_RELATIONS, relkind))) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  private static Map<String, String> map(Connection conn, String sql) throws SQLException {
    Map<String, String> m = new TreeMap<>();
    try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        m.put(rs.getString(1), rs.getString(2));
      }
    }
    return m;
  }
}
