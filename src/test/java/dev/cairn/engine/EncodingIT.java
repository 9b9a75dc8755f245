package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 items 4 and 5: databases in other encodings than UTF8 back up and restore byte for byte, and
 * restore --create makes the target with the source's encoding, collation, ctype and locale provider.
 */
class EncodingIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;

  @Test
  void sqlAsciiDatabaseHoldingNonUtf8BytesRestoresByteForByte() {
    String src = newDatabase("sqlascii", "ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'");
    // in an SQL_ASCII database an escape yields the byte itself, valid UTF-8 or not
    PG.psql(src, "CREATE TABLE b (id int PRIMARY KEY, v text);"
        + " INSERT INTO b VALUES (1, E'caf\\xe9'), (2, E'\\xff\\xfe\\x80 raw'), (3, 'plain'), (4, E'\\xc3\\xa9');");
    String bytes = "SELECT id, encode(convert_to(v, 'SQL_ASCII'), 'hex') FROM b ORDER BY id";
    String expected = "1|636166e9\n2|fffe8020726177\n3|706c61696e\n4|c3a9";
    assertEquals(expected, PG.psql(src, bytes));

    String dst = restoreCreate(backup(src), src + "_restored");

    assertEquals(expected, PG.psql(dst, bytes));
    assertEquals("SQL_ASCII|C|C", PG.psql(dst, properties(dst)));
  }

  @Test
  void sqlAsciiDatabaseWithNonAsciiNamesBacksUpAndRestores() {
    String src = newDatabase("sqlascii_names", "ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C'");
    PG.psql(src, "CREATE TABLE \"naïve\" (id int PRIMARY KEY, \"größe\" text);"
        + " INSERT INTO \"naïve\" VALUES (1, 'é');");
    String bytes = "SELECT id, encode(convert_to(\"größe\", 'SQL_ASCII'), 'hex') FROM \"naïve\"";
    assertEquals("1|c3a9", PG.psql(src, bytes));

    String dst = restoreCreate(backup(src), src + "_restored");

    assertEquals("1|c3a9", PG.psql(dst, bytes));
  }

  @Test
  void latin1DatabaseRestoresWithCreateInLatin1AndIntoAUtf8DatabaseConverted() {
    String src = newDatabase("latin1", "ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C'");
    PG.psql(src, "SET client_encoding = 'UTF8'; CREATE TABLE t (id int PRIMARY KEY, v text);"
        + " INSERT INTO t VALUES (1, 'café'), (2, 'Straße ½ ÿ');"
        + " CREATE TABLE \"größe\" (\"naïve\" text); INSERT INTO \"größe\" VALUES ('é');");
    String id = backup(src);

    String created = restoreCreate(id, src + "_created");
    assertEquals("LATIN1|C|C", PG.psql(created, properties(created)));
    String bytes = "SELECT id, encode(convert_to(v, 'LATIN1'), 'hex') FROM t ORDER BY id";
    assertEquals(PG.psql(src, bytes), PG.psql(created, bytes));
    String named = "SET client_encoding = 'UTF8'; SELECT \"naïve\" FROM \"größe\"";
    assertEquals("é", PG.psql(created, named), "names outside ASCII are copied by name");

    String utf8 = PG.newDatabase("latin1_into_utf8");
    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(utf8));
    assertEquals(0, restore.code(), restore.toString());
    assertEquals("1|café\n2|Straße ½ ÿ",
        PG.psql(utf8, "SET client_encoding = 'UTF8'; SELECT id, v FROM t ORDER BY id"));
    assertEquals("é", PG.psql(utf8, named));
  }

  @Test
  void icuDatabaseRestoresWithCreateWithItsLocaleProviderAndIcuLocale() {
    String src = newDatabase("icu", "ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'de-DE'");
    PG.psql(src, "CREATE TABLE t (v text); INSERT INTO t VALUES ('a'), ('B'), ('ä');");

    String dst = restoreCreate(backup(src), src + "_restored");

    String icu = "SELECT datlocprovider, daticulocale, datcollate FROM pg_database WHERE datname = current_database()";
    assertEquals("i|de-DE|C.UTF-8", PG.psql(dst, icu));
    assertEquals(PG.psql(src, "SELECT string_agg(v, ',' ORDER BY v) FROM t"),
        PG.psql(dst, "SELECT string_agg(v, ',' ORDER BY v) FROM t"));
  }

  private static String newDatabase(String prefix, String options) {
    String name = prefix + "_" + Long.toHexString(System.nanoTime());
    PG.psql("postgres", "CREATE DATABASE " + name + " TEMPLATE template0 " + options);
    return name;
  }

  private static String properties(String db) {
    return "SELECT pg_encoding_to_char(encoding), datcollate, datctype FROM pg_database WHERE datname = '" + db + "'";
  }

  private String backup(String src) {
    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo);
    assertEquals(0, backup.code(), backup.toString());
    return backup.lastLine();
  }

  private String restoreCreate(String id, String dst) {
    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(dst), "--create");
    assertEquals(0, restore.code(), restore.toString());
    return dst;
  }
}
