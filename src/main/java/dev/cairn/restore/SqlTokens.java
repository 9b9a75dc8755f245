package dev.cairn.restore;

import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of SQL's lexical rules to read what pg_dump and pg_dumpall print: statements end at a
 * semicolon outside quotes; tokens are words, "quoted identifiers", 'string literals' and single
 * punctuation characters. Both tools print with standard_conforming_strings on, so a backslash in a
 * literal is an ordinary character.
 */
final class SqlTokens {
  private SqlTokens() {}

  /** A token; {@code quoted}: a "quoted identifier", whose text is the name it denotes. */
  record Token(String text, boolean quoted, boolean literal) {
    boolean is(String word) {
      return !quoted && !literal && text.equalsIgnoreCase(word);
    }
  }

  /**
   * The statements of a script, each without its final semicolon; comment lines ({@code --}) and psql
   * meta-commands ({@code \restrict}) between statements are dropped.
   */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean blank = true;
    char quote = 0;
    for (int i = 0; i < script.length(); i++) {
      char c = script.charAt(i);
      if (quote == 0 && blank && (c == '\\' || script.startsWith("--", i))) {
        int eol = script.indexOf('\n', i);
        i = eol < 0 ? script.length() : eol;
        cur.setLength(0);
        continue;
      }
      blank &= Character.isWhitespace(c);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ';') {
        out.add(cur.toString().strip());
        cur.setLength(0);
        blank = true;
        continue;
      }
      cur.append(c);
    }
    if (!blank) {
      out.add(cur.toString().strip());
    }
    return out;
  }

  static List<Token> tokens(String statement) {
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = statement.length();
    while (i < n) {
      char c = statement.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'') {
        StringBuilder sb = new StringBuilder();
        int j = i + 1;
        while (j < n) {
          char d = statement.charAt(j);
          if (d == c) {
            if (j + 1 < n && statement.charAt(j + 1) == c) { // a doubled quote stands for one
              sb.append(c);
              j += 2;
              continue;
            }
            break;
          }
          sb.append(d);
          j++;
        }
        out.add(new Token(sb.toString(), c == '"', c == '\''));
        i = j + 1;
      } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c == '.') {
        int j = i;
        while (j < n && (Character.isLetterOrDigit(statement.charAt(j)) || "_$.".indexOf(statement.charAt(j)) >= 0)) {
          j++;
        }
        out.add(new Token(statement.substring(i, j), false, false));
        i = j;
      } else {
        out.add(new Token(String.valueOf(c), false, false));
        i++;
      }
    }
    return out;
  }

  /**
   * The role names of a comma-separated list starting at {@code from}, up to the first token that is
   * neither a name nor a comma; PUBLIC and the CURRENT_USER-like keywords are not roles.
   */
  static List<String> roleList(List<Token> t, int from) {
    List<String> out = new ArrayList<>();
    for (int i = from; i < t.size(); i += 2) {
      Token tok = t.get(i);
      if (tok.literal() || (!tok.quoted() && !isWord(tok.text())) || isKeyword(tok)) {
        break;
      }
      if (!(tok.is("PUBLIC") || tok.is("CURRENT_USER") || tok.is("SESSION_USER") || tok.is("CURRENT_ROLE"))) {
        out.add(tok.text());
      }
      if (i + 1 >= t.size() || !t.get(i + 1).text().equals(",")) {
        break;
      }
    }
    return out;
  }

  private static boolean isWord(String s) {
    return !s.isEmpty() && (Character.isLetter(s.charAt(0)) || s.charAt(0) == '_');
  }

  private static boolean isKeyword(Token t) {
    return t.is("WITH") || t.is("GRANTED") || t.is("USING") || t.is("CASCADE") || t.is("RESTRICT")
        || t.is("SERVER") || t.is("OPTIONS");
  }

  /** Index of the last token that is {@code word} (outside quotes), or -1. */
  static int last(List<Token> t, String word) {
    for (int i = t.size() - 1; i >= 0; i--) {
      if (t.get(i).is(word)) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the tokens start with these words. */
  static boolean startsWith(List<Token> t, String... words) {
    if (t.size() < words.length) {
      return false;
    }
    for (int i = 0; i < words.length; i++) {
      if (!t.get(i).is(words[i])) {
        return false;
      }
    }
    return true;
  }
}
