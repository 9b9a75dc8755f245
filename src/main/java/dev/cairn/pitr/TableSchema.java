package dev.cairn.pitr;

import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.PgTool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recreates, in a live database, the tables it lacks (dropped by mistake) from their definition in another
 * (the cluster as of a moment): {@code pg_dump --schema-only -t} piped into {@code psql --single-transaction}
 * with ON_ERROR_STOP, so a definition applies whole or not at all. Blocking.
 */
public final class TableSchema {
  private TableSchema() {}

  /** The tables of {@code tables} that {@code target} lacks, created there; returns their names. */
  public static List<String> createMissing(ConnSpec source, ConnSpec target, List<String> tables, Path pgBin) {
    List<String> missing = new ArrayList<>();
    int major;
    try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.jdbcProperties());
        PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NULL, current_setting('server_version_num')")) {
      major = 0;
      for (String t : tables) {
        st.setString(1, t);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          if (rs.getBoolean(1)) {
            missing.add(t);
          }
          major = Integer.parseInt(rs.getString(2)) / 10000;
        }
      }
    } catch (SQLException e) {
      throw new CairnException(ErrorCode.DB_CONNECT, "cannot look up tables in " + target.describe() + ": "
          + e.getMessage(), null, e.getSQLState(), e);
    }
    if (missing.isEmpty()) {
      return missing;
    }
    PgTool pgDump = PgTool.find("pg_dump", major, pgBin);
    Path psql = pgDump.sibling("psql").orElseThrow(() -> new CairnException(ErrorCode.PG_DUMP_VERSION,
        "no psql beside " + pgDump.path(), "install the PostgreSQL client programs"));
    List<String> dump = new ArrayList<>(List.of(pgDump.path().toString(), "--schema-only", "--no-owner", "-d",
        source.toLibpqConninfo()));
    missing.forEach(t -> dump.addAll(List.of("-t", t)));
    try {
      Process d = start(dump, source.childEnv());
      Process p = start(List.of(psql.toString(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-d",
          target.toLibpqConninfo()), target.childEnv());
      try (InputStream in = d.getInputStream(); OutputStream out = p.getOutputStream()) {
        in.transferTo(out);
      }
      String dumpSaid = new String(d.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      String psqlSaid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
          + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (d.waitFor() != 0) {
        throw new CairnException(ErrorCode.PG_DUMP_FAILED, "pg_dump of the definition of " + String.join(", ", missing)
            + " failed: " + dumpSaid);
      }
      if (p.waitFor() != 0) {
        throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "creating " + String.join(", ", missing) + " in "
            + target.describe() + " failed (nothing was created): " + psqlSaid);
      }
      return missing;
    } catch (IOException e) {
      throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "cannot copy the definition of " + String.join(", ", missing)
          + ": " + e.getMessage(), null, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "interrupted");
    }
  }

  private static Process start(List<String> cmd, Map<String, String> env) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().putAll(new HashMap<>(env));
    return pb.start();
  }
}
