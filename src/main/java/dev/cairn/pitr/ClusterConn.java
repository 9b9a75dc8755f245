package dev.cairn.pitr;

import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.PgTool;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cluster's connection string, as configured: a replication URI ({@code ?replication=true}) for the WAL
 * stream and base backups. pg_receivewal and pg_basebackup add the replication flag themselves, and
 * SQL (facts, marks, lag) needs an ordinary session, so the flag is dropped here. Blocking.
 */
public final class ClusterConn {
  private final ConnSpec spec;

  public ClusterConn(String url) {
    this.spec = ConnSpec.parse(withoutReplication(url));
  }

  static String withoutReplication(String url) {
    if (url.startsWith("postgresql://") || url.startsWith("postgres://")) {
      return url.replaceAll("([?&])replication=[^&]*(&|$)", "$1").replaceAll("[?&]$", "");
    }
    return url.replaceAll("(^|\\s)replication\\s*=\\s*\\S+", "").trim();
  }

  public ConnSpec spec() {
    return spec;
  }

  /** Libpq conninfo for pg_receivewal/pg_basebackup -d: no password (it travels in {@link #childEnv()}). */
  String conninfo() {
    return spec.toLibpqConninfo();
  }

  Map<String, String> childEnv() {
    return spec.childEnv();
  }

  Connection connect() {
    try {
      return DriverManager.getConnection(spec.jdbcUrl(), spec.jdbcProperties());
    } catch (SQLException e) {
      throw new CairnException(ErrorCode.DB_CONNECT, "cannot connect to " + spec.describe() + ": " + e.getMessage(),
          null, e.getSQLState(), e);
    }
  }

  /** One row of text values. */
  List<String> row(String sql) {
    try (Connection c = connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      if (rs.next()) {
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          out.add(rs.getString(i));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new CairnException(ErrorCode.DB_QUERY, "query on " + spec.describe() + " failed: " + e.getMessage(),
          null, e.getSQLState(), e);
    }
  }

  /** A statement without a result (DDL). */
  void execute(String sql) {
    try (Connection c = connect(); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new CairnException(ErrorCode.DB_QUERY, "statement on " + spec.describe() + " failed: " + e.getMessage(),
          null, e.getSQLState(), e);
    }
  }

  /**
   * Creates the physical slot when missing, reserving WAL at once (pg_receivewal --create-slot does not): a base
   * backup taken before the stream first runs keeps its WAL on the server until the stream fetches it.
   */
  void ensureSlot(String slot) {
    row("SELECT pg_create_physical_replication_slot('" + slot + "', true)::text WHERE NOT EXISTS"
        + " (SELECT 1 FROM pg_replication_slots WHERE slot_name = '" + slot + "')");
  }

  ClusterInfo facts(String name) {
    List<String> r = row("SELECT (SELECT system_identifier FROM pg_control_system())::text,"
        + " (SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'), current_setting('server_version_num')");
    return new ClusterInfo(name, r.get(0), Long.parseLong(r.get(1)), Integer.parseInt(r.get(2)));
  }

  /** A client program for this server: its major version or newer (PostgreSQL's tools read older servers). */
  static PgTool tool(String program, ClusterInfo info, Path pgBin) {
    return PgTool.find(program, info.serverVersionNum() / 10000, pgBin);
  }
}
