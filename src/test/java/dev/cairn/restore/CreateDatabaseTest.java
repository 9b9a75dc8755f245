package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CreateDatabaseTest {
  private static Manifest manifest(String encoding, Manifest.Locale locale) {
    return new Manifest(1, "x-20260101T000000Z", "x", "dev", "15", 150000, "15", encoding, "snap", Instant.EPOCH,
        Instant.EPOCH, Instant.EPOCH, new JsonObject(), List.of(), List.of(), List.of(), List.of(), null,
        Manifest.Content.ALL, null, locale);
  }

  @Test
  void anArchiveWithoutALocaleCreatesWithItsEncodingOnly() {
    assertEquals("CREATE DATABASE \"d\" TEMPLATE template0 ENCODING 'UTF8'",
        CreateDatabase.sql("d", manifest("UTF8", null), 15));
  }

  @Test
  void icuLocaleAndRulesAreUsedWhereTheTargetServerKnowsThem() {
    Manifest m = manifest("UTF8", new Manifest.Locale("C.UTF-8", "C.UTF-8", "i", "de-DE", "&a < b"));
    assertEquals("CREATE DATABASE \"d\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        + " LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' ICU_RULES '&a < b'", CreateDatabase.sql("d", m, 16));
    assertEquals("CREATE DATABASE \"d\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        + " LOCALE_PROVIDER icu ICU_LOCALE 'de-DE'", CreateDatabase.sql("d", m, 15));
    assertEquals("CREATE DATABASE \"d\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
        CreateDatabase.sql("d", m, 14));
  }

  @Test
  void aFailureOnTheSourcesLocaleNamesItAndSaysWhatToDo() {
    Manifest m = manifest("LATIN1", new Manifest.Locale("de_DE", "de_DE", "c", null, null));
    CairnException e = CreateDatabase.explain(new CairnException(ErrorCode.DB_QUERY,
        "cannot prepare database d: invalid locale name: \"de_DE\"", null, "42809", null), "d", m);
    assertTrue(e.getMessage().contains("LC_COLLATE de_DE"), e.getMessage());
    assertNotNull(e.hint());
    CairnException other = new CairnException(ErrorCode.DB_QUERY, "cannot prepare database d: permission denied");
    assertSame(other, CreateDatabase.explain(other, "d", m));
  }
}
