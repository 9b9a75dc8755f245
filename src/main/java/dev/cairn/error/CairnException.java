package dev.cairn.error;

/**
 * The one error type of Cairn: a stable {@link ErrorCode}, a lowercase message that names the object
 * (database, table, chunk, byte offset, path), and an optional hint for when the operator must act.
 * Messages never contain secrets.
 */
public final class CairnException extends RuntimeException {
  private final ErrorCode code;
  private final String hint;
  private final String sqlState;

  public CairnException(ErrorCode code, String message) {
    this(code, message, null, null, null);
  }

  public CairnException(ErrorCode code, String message, String hint) {
    this(code, message, hint, null, null);
  }

  public CairnException(ErrorCode code, String message, String hint, String sqlState, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.hint = hint;
    this.sqlState = sqlState;
  }

  public ErrorCode code() {
    return code;
  }

  /** What the operator should do, or null. */
  public String hint() {
    return hint;
  }

  /** SQLSTATE reported by the server, or null. */
  public String sqlState() {
    return sqlState;
  }

  /** "CODE: message (SQLSTATE x)\nhint: ..." as printed by the CLI. */
  public String describe() {
    StringBuilder sb = new StringBuilder(code.name()).append(": ").append(getMessage());
    if (sqlState != null) {
      sb.append(" (SQLSTATE ").append(sqlState).append(')');
    }
    if (hint != null) {
      sb.append("\nhint: ").append(hint);
    }
    return sb.toString();
  }

  /** Wraps any throwable as a CairnException, keeping one that already is. */
  public static CairnException wrap(Throwable t, ErrorCode code, String context) {
    if (t instanceof CairnException ce) {
      return ce;
    }
    String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return new CairnException(code, context + ": " + msg, null, null, t);
  }
}
