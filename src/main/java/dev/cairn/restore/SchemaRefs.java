package dev.cairn.restore;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The roles and extensions a schema needs on the target, read from the SQL script pg_restore prints
 * for it: owners ({@code OWNER TO}), grantees and grantors ({@code GRANT ... TO}, {@code REVOKE ... FROM},
 * {@code GRANTED BY}, {@code SET SESSION AUTHORIZATION}), default privileges ({@code FOR ROLE}), policies
 * ({@code CREATE POLICY ... TO}), user mappings, {@code CREATE EXTENSION}, and the tablespaces objects are
 * created in ({@code SET default_tablespace}). pg_dump prints each of
 * these statements on one line, so lines are read one by one (function bodies may hold semicolons).
 */
record SchemaRefs(Set<String> roles, Set<String> extensions, Set<String> tablespaces) {

  static SchemaRefs parse(List<String> scriptLines) {
    TreeSet<String> roles = new TreeSet<>();
    TreeSet<String> extensions = new TreeSet<>();
    TreeSet<String> tablespaces = new TreeSet<>();
    for (String line : scriptLines) {
      if (!(line.startsWith("ALTER ") || line.startsWith("GRANT ") || line.startsWith("REVOKE ")
          || line.startsWith("SET SESSION AUTHORIZATION ") || line.startsWith("SET default_tablespace ")
          || line.startsWith("CREATE "))) {
        continue;
      }
      List<SqlTokens.Token> t = SqlTokens.tokens(line);
      if (SqlTokens.startsWith(t, "SET", "default_tablespace")) {
        if (t.size() > 3 && !t.get(3).text().isEmpty() && !t.get(3).text().equals(";")) {
          tablespaces.add(t.get(3).text()); // '' is the database's default
        }
      } else if (SqlTokens.startsWith(t, "CREATE", "EXTENSION")) {
        int i = t.size() > 5 && SqlTokens.startsWith(t, "CREATE", "EXTENSION", "IF", "NOT", "EXISTS") ? 5 : 2;
        if (i < t.size()) {
          extensions.add(t.get(i).text());
        }
      } else if (SqlTokens.startsWith(t, "SET", "SESSION", "AUTHORIZATION") && t.size() > 3) {
        roles.add(t.get(3).text()); // pg_restore prints the name as a string literal
      } else if (SqlTokens.startsWith(t, "CREATE", "POLICY")) {
        for (int i = 2; i < t.size(); i++) {
          if (t.get(i).is("TO")) {
            roles.addAll(SqlTokens.roleList(t, i + 1));
            break;
          }
          if (t.get(i).is("USING") || t.get(i).is("WITH")) {
            break;
          }
        }
      } else if (SqlTokens.startsWith(t, "CREATE", "USER", "MAPPING", "FOR")) {
        roles.addAll(SqlTokens.roleList(t, 4));
      } else if (SqlTokens.startsWith(t, "ALTER") && !SqlTokens.startsWith(t, "ALTER", "DEFAULT")) {
        int owner = SqlTokens.last(t, "OWNER");
        if (owner > 0 && owner + 1 < t.size() && t.get(owner + 1).is("TO")) {
          roles.addAll(SqlTokens.roleList(t, owner + 2));
        }
      } else if (SqlTokens.startsWith(t, "GRANT") || SqlTokens.startsWith(t, "REVOKE")
          || SqlTokens.startsWith(t, "ALTER", "DEFAULT", "PRIVILEGES")) {
        if (SqlTokens.startsWith(t, "ALTER", "DEFAULT", "PRIVILEGES", "FOR")) {
          roles.addAll(SqlTokens.roleList(t, 5)); // FOR ROLE x or FOR USER x
        }
        boolean revoke = t.stream().anyMatch(x -> x.is("REVOKE"));
        int to = SqlTokens.last(t, revoke ? "FROM" : "TO");
        if (to > 0) {
          roles.addAll(SqlTokens.roleList(t, to + 1));
        }
        int by = SqlTokens.last(t, "GRANTED");
        if (by > 0 && by + 1 < t.size() && t.get(by + 1).is("BY")) {
          roles.addAll(SqlTokens.roleList(t, by + 2));
        }
      }
    }
    return new SchemaRefs(Collections.unmodifiableSortedSet(roles), Collections.unmodifiableSortedSet(extensions),
        Collections.unmodifiableSortedSet(tablespaces));
  }
}
