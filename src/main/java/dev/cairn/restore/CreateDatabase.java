package dev.cairn.restore;

import dev.cairn.archive.Manifest;
import dev.cairn.archive.Sql;
import dev.cairn.error.CairnException;
import java.util.Locale;

/**
 * The CREATE DATABASE of restore --create: from template0, with the source database's encoding and, when
 * the backup recorded it, its collation, ctype and locale provider (ICU and builtin locales included), as
 * pg_dump's --create output does. Clauses the target server does not know are left out.
 */
final class CreateDatabase {
  private CreateDatabase() {}

  static String sql(String name, Manifest m, int targetMajor) {
    StringBuilder sb = new StringBuilder("CREATE DATABASE ").append(Sql.ident(name))
        .append(" TEMPLATE template0 ENCODING ").append(Sql.literal(m.encoding()));
    Manifest.Locale l = m.locale();
    if (l == null) {
      return sb.toString();
    }
    sb.append(" LC_COLLATE ").append(Sql.literal(l.collate())).append(" LC_CTYPE ").append(Sql.literal(l.ctype()));
    if (targetMajor >= 15 && l.provider() != null) {
      switch (l.provider()) {
        case "i" -> {
          sb.append(" LOCALE_PROVIDER icu");
          if (l.icuLocale() != null) {
            sb.append(" ICU_LOCALE ").append(Sql.literal(l.icuLocale()));
          }
          if (l.icuRules() != null && targetMajor >= 16) {
            sb.append(" ICU_RULES ").append(Sql.literal(l.icuRules()));
          }
        }
        case "b" -> sb.append(" LOCALE_PROVIDER builtin BUILTIN_LOCALE ").append(Sql.literal(l.icuLocale()));
        default -> sb.append(" LOCALE_PROVIDER libc");
      }
    }
    return sb.toString();
  }

  /**
   * A CREATE DATABASE that failed on the source's locale or encoding (not on this server, or not a pair it
   * accepts) says what to do.
   */
  static CairnException explain(CairnException e, String db, Manifest m) {
    String msg = e.getMessage().toLowerCase(Locale.ROOT);
    if (e.hint() != null || m.locale() == null || !(msg.contains("locale") || msg.contains("encoding")
        || msg.contains("collation"))) {
      return e;
    }
    Manifest.Locale l = m.locale();
    return new CairnException(e.code(), e.getMessage() + " (creating database " + db + " with encoding "
        + m.encoding() + ", LC_COLLATE " + l.collate() + ", LC_CTYPE " + l.ctype()
        + ("i".equals(l.provider()) ? ", ICU locale " + l.icuLocale() : "") + ", as the source database)",
        "install that locale on the target server, or create the database yourself (CREATE DATABASE ... TEMPLATE"
            + " template0 with the locale you want) and restore into it without --create", e.sqlState(), e);
  }
}
