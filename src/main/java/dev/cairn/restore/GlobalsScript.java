package dev.cairn.restore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The part of a {@code pg_dumpall --globals-only} script that creates what the target lacks and changes
 * nothing that exists: a role's CREATE, ALTER, COMMENT and SECURITY LABEL only when no role of that name
 * exists; a membership only when one end is such a new role and both ends exist once the new roles do
 * (GRANTED BY dropped when the grantor does not); a tablespace with its options, grants and comment only
 * when no tablespace of that name exists. Session settings (SET) are kept; any other statement is left out
 * and counted.
 */
record GlobalsScript(List<String> statements, Set<String> newRoles, Map<String, String> newTablespaces,
    int skipped) {

  /**
   * {@code existingRoles}, {@code existingTablespaces}: the target's. {@code newTablespaces}: name to
   * location (a directory on the target's host, which must exist).
   */
  static GlobalsScript filter(String script, Set<String> existingRoles, Set<String> existingTablespaces) {
    List<String> all = SqlTokens.statements(script);
    Set<String> newRoles = new TreeSet<>();
    Map<String, String> newTablespaces = new LinkedHashMap<>();
    for (String s : all) {
      List<SqlTokens.Token> t = SqlTokens.tokens(s);
      if (SqlTokens.startsWith(t, "CREATE", "ROLE") && t.size() > 2 && !existingRoles.contains(t.get(2).text())) {
        newRoles.add(t.get(2).text());
      } else if (SqlTokens.startsWith(t, "CREATE", "TABLESPACE") && t.size() > 2
          && !existingTablespaces.contains(t.get(2).text())) {
        int loc = SqlTokens.last(t, "LOCATION");
        newTablespaces.put(t.get(2).text(), loc > 0 && loc + 1 < t.size() ? t.get(loc + 1).text() : "");
      }
    }
    Set<String> roles = new HashSet<>(existingRoles);
    roles.addAll(newRoles);
    List<String> keep = new ArrayList<>();
    int skipped = 0;
    for (String s : all) {
      String kept = keep(s, SqlTokens.tokens(s), newRoles, roles, newTablespaces.keySet());
      if (kept != null) {
        keep.add(kept);
      } else {
        skipped++;
      }
    }
    return new GlobalsScript(List.copyOf(keep), Collections.unmodifiableSet(newRoles),
        Collections.unmodifiableMap(newTablespaces), skipped);
  }

  /** The statement to run (possibly shortened), or null to leave it out. */
  private static String keep(String s, List<SqlTokens.Token> t, Set<String> newRoles, Set<String> roles,
      Set<String> newTablespaces) {
    if (SqlTokens.startsWith(t, "SET")) {
      return s;
    }
    if (SqlTokens.startsWith(t, "CREATE", "ROLE") || SqlTokens.startsWith(t, "ALTER", "ROLE")) {
      return t.size() > 2 && newRoles.contains(t.get(2).text()) ? s : null;
    }
    if (SqlTokens.startsWith(t, "CREATE", "TABLESPACE") || SqlTokens.startsWith(t, "ALTER", "TABLESPACE")) {
      return t.size() > 2 && newTablespaces.contains(t.get(2).text()) ? s : null;
    }
    String onObject = objectAfter(t, "ON");
    if (SqlTokens.startsWith(t, "COMMENT") || SqlTokens.startsWith(t, "SECURITY", "LABEL")) {
      int on = indexOf(t, "ON");
      if (on < 0 || on + 2 >= t.size()) {
        return null;
      }
      String kind = t.get(on + 1).text();
      String name = t.get(on + 2).text();
      return kind.equalsIgnoreCase("ROLE") && newRoles.contains(name)
          || kind.equalsIgnoreCase("TABLESPACE") && newTablespaces.contains(name) ? s : null;
    }
    if (SqlTokens.startsWith(t, "GRANT") || SqlTokens.startsWith(t, "REVOKE")) {
      if (onObject != null) {
        return onObject.startsWith("TABLESPACE ") && newTablespaces.contains(onObject.substring(11)) ? s : null;
      }
      return SqlTokens.startsWith(t, "GRANT") ? membership(s, t, newRoles, roles) : null;
    }
    return null;
  }

  /** {@code GRANT role TO member [WITH ...] [GRANTED BY grantor]}: kept when it concerns a new role. */
  private static String membership(String s, List<SqlTokens.Token> t, Set<String> newRoles, Set<String> roles) {
    int to = indexOf(t, "TO");
    if (to != 2 || t.size() < 4) {
      return null;
    }
    String role = t.get(1).text();
    String member = t.get(3).text();
    if (!(newRoles.contains(role) || newRoles.contains(member)) || !roles.contains(role) || !roles.contains(member)) {
      return null;
    }
    int by = SqlTokens.last(t, "GRANTED");
    if (by > 0 && by + 2 < t.size() && !roles.contains(t.get(by + 2).text())) {
      int cut = indexOfGranted(s);
      return cut > 0 ? s.substring(0, cut).stripTrailing() : s;
    }
    return s;
  }

  /** "TABLESPACE name" when the statement is ... ON TABLESPACE name ...; the kind and name after ON. */
  private static String objectAfter(List<SqlTokens.Token> t, String word) {
    int on = indexOf(t, word);
    return on < 0 || on + 2 >= t.size() ? null : t.get(on + 1).text().toUpperCase(Locale.ROOT) + " "
        + t.get(on + 2).text();
  }

  private static int indexOf(List<SqlTokens.Token> t, String word) {
    for (int i = 0; i < t.size(); i++) {
      if (t.get(i).is(word)) {
        return i;
      }
    }
    return -1;
  }

  /** Offset of the GRANTED BY clause in the statement's text (outside quotes), or -1. */
  private static int indexOfGranted(String s) {
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        quote = c == quote ? 0 : quote;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (s.regionMatches(true, i, " GRANTED BY ", 0, 12)) {
        return i;
      }
    }
    return -1;
  }
}
