package dev.cairn.conn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Rendering a spec as a URI or as key=value and parsing it back gives the same spec. */
class ConnSpecProperties {
  /** No .pgpass there: the password comes only from the rendered string. */
  private static final Path NO_HOME = Path.of("/nonexistent/cairn-test-home");

  /** Marks every generated password; the other fields never contain it. */
  private static final String PW_MARK = "\u2603";

  record Fields(String host, int port, String db, String user, String password, String app, String sslMode) {}

  private static final String SPECIAL = " '\"\\=@/?:&%#;[]{}+\t\n";

  private static Arbitrary<String> text() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('A', 'Z')
        .withCharRange('0', '9')
        .withChars(SPECIAL.toCharArray())
        .withChars("éüßñ日本語Ωж".toCharArray())
        .ofMinLength(1)
        .ofMaxLength(12);
  }

  @Provide
  Arbitrary<Fields> fields() {
    Arbitrary<String> host =
        Arbitraries.oneOf(
            text().filter(h -> h.indexOf(',') < 0),
            text().filter(h -> h.indexOf(',') < 0).map(h -> "/" + h),
            Arbitraries.of("::1", "fe80::1%eth0", "127.0.0.1", "db.example.com"));
    Arbitrary<String> password = text().map(p -> PW_MARK + p);
    return Combinators.combine(
            host,
            Arbitraries.integers().between(1, 65535),
            text(),
            text(),
            password,
            text(),
            Arbitraries.of(ConnSpec.SSL_MODES))
        .as(Fields::new);
  }

  static String uri(Fields f) {
    String e = f.host().matches("[0-9a-f:]+(%[a-z0-9]+)?")
        ? "[" + f.host().replace("%", "%25") + "]"
        : pct(f.host());
    return "postgresql://" + pct(f.user()) + ":" + pct(f.password()) + "@" + e + ":" + f.port() + "/"
        + pct(f.db()) + "?application_name=" + pct(f.app()) + "&sslmode=" + f.sslMode();
  }

  static String keyValue(Fields f) {
    return "host=" + q(f.host()) + "  port = " + f.port() + " dbname=" + q(f.db()) + " user=" + q(f.user())
        + " password=" + q(f.password()) + "\tapplication_name=" + q(f.app()) + " sslmode=" + f.sslMode();
  }

  /** Independent of the code under test: every byte outside [A-Za-z0-9] is encoded. */
  private static String pct(String s) {
    StringBuilder sb = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (Character.isLetterOrDigit(c) && c < 128) {
        sb.append((char) c);
      } else {
        sb.append(String.format("%%%02x", c));
      }
    }
    return sb.toString();
  }

  private static String q(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  private static void assertSame(Fields f, ConnSpec s, boolean withPassword) {
    assertEquals(f.host(), s.host());
    assertEquals(f.port(), s.port());
    assertEquals(f.db(), s.database());
    assertEquals(f.user(), s.user());
    assertEquals(f.app(), s.applicationName());
    assertEquals(f.sslMode(), s.sslMode());
    if (withPassword) {
      assertEquals(f.password(), s.password());
    }
  }

  @Property
  void uriRoundTrips(@ForAll("fields") Fields f) {
    assertSame(f, ConnSpec.parse(uri(f), Map.of(), NO_HOME), true);
  }

  @Property
  void keyValueRoundTrips(@ForAll("fields") Fields f) {
    assertSame(f, ConnSpec.parse(keyValue(f), Map.of(), NO_HOME), true);
  }

  @Property
  void outputsParseBackAndNeverShowThePassword(@ForAll("fields") Fields f) {
    ConnSpec s = ConnSpec.parse(keyValue(f), Map.of(), NO_HOME);
    String encodedMark = "%E2%98%83";
    for (String out : new String[] {s.toString(), s.describe(), s.toLibpqConninfo()}) {
      assertFalse(out.contains(PW_MARK), out);
      assertFalse(out.toUpperCase().contains(encodedMark), out);
    }
    assertSame(f, ConnSpec.parse(s.toLibpqConninfo(), Map.of(), NO_HOME), false);
    assertSame(f, ConnSpec.parse(s.toString(), Map.of(), NO_HOME), false);
    assertEquals(
        f.password(),
        ConnSpec.parse(s.toLibpqConninfo(), s.childEnv(), NO_HOME).password(),
        "the child gets the password from its environment");
  }
}
