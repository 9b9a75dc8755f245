package dev.cairn.archive;

/** SQL quoting for names and literals taken from the catalog or the manifest. */
public final class Sql {
  private Sql() {}

  /** Always quotes, so reserved words, mixed case and odd characters round-trip. */
  public static String ident(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /** A standard-conforming string literal. */
  public static String literal(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
