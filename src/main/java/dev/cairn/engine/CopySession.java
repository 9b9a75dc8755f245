package dev.cairn.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Session settings of every COPY connection, so COPY text is the same whatever the server's, database's
 * or role's defaults. A backup records the text settings it copied with (the manifest's {@code
 * copySettings}) and a restore loads with exactly those.
 */
public final class CopySession {
  private CopySession() {}

  private static final String CLIENT_ENCODING = "client_encoding";

  /**
   * Settings that do not change COPY text, on both sides: no statement or idle timeout cuts an
   * hours-long COPY; {@code row_security = off} makes a table whose policies would hide rows from the
   * backup role fail loudly instead of yielding a silently partial copy.
   */
  public static final String OPERATIONAL = "SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0;"
      + " SET row_security = off";

  /**
   * What archives written before cairn recorded its settings were copied with (client_encoding UTF8 was
   * pgjdbc's); their restore keeps to it.
   */
  public static final Map<String, String> LEGACY = ordered("client_encoding", "UTF8", "DateStyle", "ISO",
      "IntervalStyle", "postgres", "extra_float_digits", "3", "TimeZone", "UTC", "bytea_output", "hex");

  /**
   * The text settings of a backup's COPY sessions, as pg_dump sets its own (setup_connection in
   * pg_dump.c, _doSetFixedOutputState in pg_backup_archiver.c) and a little more. {@code encoding}: the
   * database's own, recorded as client_encoding and applied as COPY's ENCODING option, so bytes stay
   * bytes (an SQL_ASCII database may hold any; a LATIN1 one loads into a UTF8 target converted by the
   * server). {@code search_path} empty: reg* values are written qualified
   * and read back against no path. {@code lc_monetary} C: money text in one fixed format, whatever the
   * database's locale (the stored amount is the same; a database's lc_monetary only changes its display).
   * {@code xmloption} content: a stored XML fragment loads under a target whose default is document.
   */
  public static Map<String, String> forBackup(String encoding) {
    return ordered("client_encoding", encoding, "search_path", "", "DateStyle", "ISO", "IntervalStyle", "postgres",
        "extra_float_digits", "3", "TimeZone", "UTC", "bytea_output", "hex", "standard_conforming_strings", "on",
        "lc_monetary", "C", "xmloption", "content");
  }

  /**
   * One statement that applies {@code settings} to the session, with the operational ones. The session
   * keeps client_encoding UTF8, in which pgjdbc sends every statement (names included): the text's
   * encoding is each COPY's own ENCODING option ({@link #encodingOption}).
   */
  public static String sql(Map<String, String> settings) {
    return "SELECT " + settings.entrySet().stream().filter(e -> !e.getKey().equals(CLIENT_ENCODING))
        .map(e -> "pg_catalog.set_config(" + literal(e.getKey()) + ", " + literal(e.getValue()) + ", false)")
        .collect(Collectors.joining(", ")) + "; " + OPERATIONAL;
  }

  /**
   * {@code ENCODING 'LATIN1'}, the COPY option that reads or writes the text in the recorded encoding
   * (COPY converts it from or to the database's, and not at all for SQL_ASCII); null for UTF8.
   */
  public static String encodingOption(Map<String, String> settings) {
    String e = settings.getOrDefault(CLIENT_ENCODING, "UTF8");
    return e.equals("UTF8") ? null : "ENCODING " + literal(e);
  }

  private static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
