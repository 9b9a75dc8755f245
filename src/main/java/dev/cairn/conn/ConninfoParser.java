package dev.cairn.conn;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits a libpq connection string (URI or {@code key=value}) into its options, following libpq's
 * {@code conninfo_parse} and {@code conninfo_uri_parse}. Values are returned as given (decoded and
 * unquoted); the last occurrence of a key wins. Messages never echo a password or a token that may be
 * part of one.
 */
final class ConninfoParser {
  static final List<String> KEYS =
      List.of(
          "host",
          "hostaddr",
          "port",
          "dbname",
          "user",
          "password",
          "sslmode",
          "sslrootcert",
          "sslcert",
          "sslkey",
          "application_name",
          "connect_timeout",
          "options");

  private static final String URI_HINT =
      "percent-encode special characters in uri parts, e.g. \"@\" as %40, \":\" as %3A, \"/\" as %2F";

  private ConninfoParser() {}

  /** Options given by the string; an empty or blank string gives none, a bare word is a dbname. */
  static Map<String, String> parse(String conninfo) {
    if (conninfo == null) {
      return new LinkedHashMap<>();
    }
    String trimmed = conninfo.strip();
    if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
      return parseUri(trimmed);
    }
    if (conninfo.indexOf('=') < 0) {
      // as psql: a whole argument without "=" is a database name
      Map<String, String> m = new LinkedHashMap<>();
      if (!conninfo.isBlank()) {
        m.put("dbname", conninfo);
      }
      return m;
    }
    return parseKeyValue(conninfo);
  }

  // ---- key=value ----------------------------------------------------------------------------

  static Map<String, String> parseKeyValue(String s) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = s.length();
    String previousKey = null;
    boolean previousQuoted = false;
    while (i < n) {
      if (isSpace(s.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      while (i < n && s.charAt(i) != '=' && !isSpace(s.charAt(i))) {
        i++;
      }
      String key = s.substring(start, i);
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      boolean afterPassword = "password".equals(previousKey) && !previousQuoted;
      if (i >= n || s.charAt(i) != '=') {
        if (afterPassword) {
          throw error(
              "missing \"=\" after a word following the password value in connection string",
              "quote values that contain spaces: password='...'");
        }
        throw error(
            "missing \"=\" after " + shown(key) + " in connection string",
            "write options as key=value, or give a postgresql:// uri");
      }
      i++; // '='
      while (i < n && isSpace(s.charAt(i))) {
        i++;
      }
      StringBuilder value = new StringBuilder();
      boolean quoted = i < n && s.charAt(i) == '\'';
      if (!quoted) {
        while (i < n && !isSpace(s.charAt(i))) {
          char c = s.charAt(i++);
          if (c == '\\') {
            if (i < n) {
              value.append(s.charAt(i++));
            }
          } else {
            value.append(c);
          }
        }
      } else {
        i++;
        while (true) {
          if (i >= n) {
            throw error(
                "unterminated quoted string in connection string (value of \"" + key + "\")",
                "close the value with a single quote; escape quotes and backslashes inside it as \\' and \\\\");
          }
          char c = s.charAt(i++);
          if (c == '\\') {
            if (i < n) {
              value.append(s.charAt(i++));
            }
          } else if (c == '\'') {
            break;
          } else {
            value.append(c);
          }
        }
      }
      if (afterPassword && !KEYS.contains(key)) {
        throw unknownKeyAfterPassword();
      }
      checkKey(key);
      out.put(key, value.toString());
      previousKey = key;
      previousQuoted = quoted;
    }
    return out;
  }

  /** libpq's isspace() in the C locale. */
  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
  }

  private static void checkKey(String key) {
    if (!KEYS.contains(key)) {
      throw error(
          "unknown connection option " + shown(key), "supported options: " + String.join(", ", KEYS));
    }
  }

  /**
   * A token for a message: quoted when it is a plain name, else withheld, since a stray token (a
   * misplaced uri, a password with a space) may carry a password.
   */
  static String shown(String token) {
    return token.matches("[A-Za-z0-9_.-]{1,63}") ? "\"" + token + "\"" : "(not shown: not a plain name)";
  }

  private static CairnException unknownKeyAfterPassword() {
    return error(
        "unknown connection option following the password value",
        "quote values that contain spaces: password='...'");
  }

  // ---- URI ---------------------------------------------------------------------------------

  static Map<String, String> parseUri(String uri) {
    Map<String, String> out = new LinkedHashMap<>();
    int p = uri.indexOf("://") + 3;
    int n = uri.length();

    // user[:password]@ : libpq looks ahead for '@' up to the first '/' (we also stop at '?', which
    // RFC 3986 does not allow in userinfo, so that "?password=p@ss" cannot become a user name)
    int q = p;
    while (q < n && uri.charAt(q) != '@' && uri.charAt(q) != '/' && uri.charAt(q) != '?') {
      q++;
    }
    if (q < n && uri.charAt(q) == '@') {
      int colon = uri.indexOf(':', p);
      if (colon >= 0 && colon < q) {
        putDecoded(out, "user", uri, p, colon);
        putDecoded(out, "password", uri, colon + 1, q);
      } else {
        putDecoded(out, "user", uri, p, q);
      }
      p = q + 1;
    }

    // host[:port]
    int hostStart = p;
    String host;
    if (p < n && uri.charAt(p) == '[') {
      int close = uri.indexOf(']', p);
      if (close < 0) {
        throw error(
            "missing \"]\" after an ipv6 host in connection uri",
            "write ipv6 addresses in brackets, e.g. postgresql://[::1]:5432/db");
      }
      if (close == p + 1) {
        throw error("empty ipv6 host \"[]\" in connection uri", null);
      }
      host = decode(uri, p + 1, close, "host"); // libpq percent-decodes bracketed hosts too
      p = close + 1;
    } else {
      while (p < n && ":/?,".indexOf(uri.charAt(p)) < 0) {
        p++;
      }
      if (uri.substring(hostStart, p).indexOf('@') >= 0) {
        // likely an unencoded '@' in a password: never echo the host, it may hold part of it
        throw error("unexpected \"@\" in the host part of connection uri", URI_HINT);
      }
      host = decode(uri, hostStart, p, "host");
    }
    if (p < n && uri.charAt(p) == ',') {
      throw multipleHosts();
    }
    String port = null;
    if (p < n && uri.charAt(p) == ':') {
      int portStart = ++p;
      while (p < n && "/?,".indexOf(uri.charAt(p)) < 0) {
        p++;
      }
      port = decode(uri, portStart, p, "port");
      if (p < n && uri.charAt(p) == ',') {
        throw multipleHosts();
      }
    }
    if (p < n && uri.charAt(p) != '/' && uri.charAt(p) != '?') {
      throw error(
          "unexpected character \"" + uri.charAt(p) + "\" at position " + (p + 1)
              + " in connection uri (expected \":\" or \"/\")",
          URI_HINT);
    }
    if (!host.isEmpty()) {
      out.put("host", host);
    }
    if (port != null && !port.isEmpty()) {
      out.put("port", port);
    }

    // /dbname
    if (p < n && uri.charAt(p) == '/') {
      int dbStart = ++p;
      while (p < n && uri.charAt(p) != '?') {
        p++;
      }
      if (p > dbStart) {
        out.put("dbname", decode(uri, dbStart, p, "dbname"));
      }
    }

    // ?key=value&...
    if (p < n && uri.charAt(p) == '?') {
      p++;
      String previousKey = null;
      while (p < n) {
        int end = uri.indexOf('&', p);
        if (end < 0) {
          end = n;
        }
        if (end > p) {
          int eq = uri.indexOf('=', p);
          boolean afterPassword = "password".equals(previousKey);
          if (eq < 0 || eq > end) {
            if (afterPassword) {
              throw error(
                  "missing \"=\" in a uri query parameter following the password",
                  "percent-encode \"&\" in passwords as %26");
            }
            throw error(
                "missing \"=\" in uri query parameter " + shown(uri.substring(p, end)),
                "write query parameters as ?key=value&key=value");
          }
          String key = decode(uri, p, eq, "query parameter name");
          if (afterPassword && !KEYS.contains(key)) {
            throw unknownKeyAfterPassword();
          }
          checkKey(key);
          out.put(key, decode(uri, eq + 1, end, "value of query parameter \"" + key + "\""));
          previousKey = key;
        }
        p = end + 1;
      }
    }
    return out;
  }

  private static void putDecoded(Map<String, String> out, String key, String s, int from, int to) {
    out.put(key, decode(s, from, to, key));
  }

  static CairnException multipleHosts() {
    return error(
        "multiple hosts in connection string are not supported: only one host is supported",
        "give a single host (and port), e.g. host=db1.example.com port=5432");
  }

  /** Percent-decodes s[from,to) as UTF-8; rejects malformed escapes and %00 like libpq. */
  static String decode(String s, int from, int to, String what) {
    if (s.indexOf('%', from) < 0 || s.indexOf('%', from) >= to) {
      return s.substring(from, to);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      if (c == '%') {
        int hi = i + 2 < to ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < to ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw error("invalid percent-encoded token in the " + what + " of connection uri", URI_HINT);
        }
        int b = hi * 16 + lo;
        if (b == 0) {
          throw error("forbidden value %00 in the " + what + " of connection uri", null);
        }
        bytes.write(b);
        i += 3;
      } else {
        int cp = s.codePointAt(i);
        byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        bytes.write(enc, 0, enc.length);
        i += Character.charCount(cp);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw error("percent-encoded bytes in the " + what + " of connection uri are not valid utf-8", URI_HINT);
    }
  }

  // ---- rendering ------------------------------------------------------------------------------

  /** Percent-encodes everything but RFC 3986 unreserved characters, as UTF-8. */
  static String encode(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }

  /** A libpq key=value value: single-quoted, with ' and \ escaped by a backslash. */
  static String quote(String v) {
    StringBuilder sb = new StringBuilder(v.length() + 2).append('\'');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\'' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.append('\'').toString();
  }

  static CairnException error(String message, String hint) {
    return new CairnException(ErrorCode.CONNINFO, message, hint);
  }
}
