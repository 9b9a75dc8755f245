package dev.cairn.engine;

/** Session settings of every COPY connection, so COPY text is the same whatever the server's defaults. */
public final class CopySession {
  private CopySession() {}

  /**
   * As pg_dump sets them: ISO dates, UTC, full float precision, hex bytea. Text read with these settings
   * loads back exactly, and row digests do not depend on a server's configuration. {@code row_security
   * = off} makes a table whose policies would hide rows from the backup role fail loudly instead of
   * yielding a silently partial copy.
   */
  public static final String SETTINGS = "SET DateStyle = ISO; SET IntervalStyle = postgres;"
      + " SET extra_float_digits = 3; SET TimeZone = 'UTC'; SET bytea_output = hex;"
      + " SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; SET row_security = off";
}
