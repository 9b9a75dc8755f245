package dev.cairn.conn;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import java.sql.SQLException;

/**
 * Maps driver failures (pgjdbc and vertx-pg-client) to {@link CairnException}, keeping the SQLSTATE.
 * Both drivers' messages come from the server or the socket layer and never contain the password.
 */
public final class PgErrors {
  private PgErrors() {}

  /** {@code context} names what was being done, e.g. "copy of public.orders part 3". */
  public static CairnException from(Throwable t, String context) {
    if (t instanceof CairnException ce) {
      return ce;
    }
    String state = null;
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof SQLException se) {
      state = se.getSQLState();
    } else if (t instanceof PgException pe) {
      state = pe.getSqlState();
      msg = pe.getErrorMessage();
    }
    Throwable root = rootCause(t);
    if (state == null && (root instanceof ConnectException || root instanceof java.net.UnknownHostException
        || root instanceof java.net.NoRouteToHostException)) {
      return new CairnException(ErrorCode.DB_CONNECT, context + ": " + firstLine(root.getMessage() == null
          ? root.toString() : root.getMessage()), "check that the server is running and the host and port are right",
          null, t);
    }
    if ((state == null || state.startsWith("08")) && isTlsFailure(t, msg)) {
      return new CairnException(ErrorCode.DB_CONNECT, context + ": " + firstLine(msg), TLS_HINT, state, t);
    }
    if ((state == null || state.equals("08004")) && isMissingPassword(t, msg)) {
      // vertx-pg-client: the SCRAM library rejects the empty password; pgjdbc: 08004 "no password was provided"
      String shown = state == null ? "the server requires a password and none was given" : firstLine(msg);
      return new CairnException(ErrorCode.DB_AUTH, context + ": " + shown, hintFor("28P01"), state, t);
    }
    String hint = "42501".equals(state) && msg.contains("row-level security")
        ? "the backup role must be able to read every row: give it BYPASSRLS or make it the table's owner"
        : hintFor(state);
    return new CairnException(codeFor(state), context + ": " + firstLine(msg), hint, state, t);
  }

  private static final String TLS_HINT = "check sslmode and sslrootcert: with verify-ca or verify-full the server"
      + " certificate must be signed by a certificate in sslrootcert (and, for verify-full, name the host)";

  /** pgjdbc chains the SSLException; vertx-pg-client only says "SSL handshake failed", without a cause. */
  private static boolean isTlsFailure(Throwable t, String msg) {
    if (t instanceof io.vertx.core.VertxException && "SSL handshake failed".equals(msg)) {
      return true;
    }
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof javax.net.ssl.SSLException) {
        return true;
      }
    }
    return false;
  }

  private static boolean isMissingPassword(Throwable t, String msg) {
    return (t instanceof IllegalArgumentException && msg.contains("'password' must not be empty"))
        || (t instanceof SQLException && msg.contains("no password was provided"));
  }

  static ErrorCode codeFor(String state) {
    if (state == null) {
      return ErrorCode.DB_QUERY;
    }
    if (state.equals("28P01") || state.equals("28000")) {
      return ErrorCode.DB_AUTH;
    }
    if (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03")
        || state.equals("3D000")) {
      return ErrorCode.DB_CONNECT;
    }
    return switch (state) {
      case "42501" -> ErrorCode.PERMISSION_DENIED;
      case "55P03" -> ErrorCode.LOCK_TIMEOUT;
      case "57014" -> ErrorCode.CANCELLED;
      default -> ErrorCode.DB_QUERY;
    };
  }

  private static String hintFor(String state) {
    if (state == null) {
      return null;
    }
    return switch (state) {
      case "28P01", "28000" -> "check the user name and password (PGPASSWORD, ~/.pgpass) and pg_hba.conf";
      case "42501" -> "grant the backup role SELECT on every table, or membership in pg_read_all_data";
      case "3D000" -> "check the database name";
      case "57P01", "57P02", "57P03" -> "the server shut down or restarted; run the job again once it is up";
      default -> null;
    };
  }

  private static Throwable rootCause(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
