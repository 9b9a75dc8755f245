package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.error.CairnException;
import org.junit.jupiter.api.Test;

class DatabasePropertiesTest {
  @Test
  void theDatabaseNamedAfterTheKeywordBecomesTheTargetAndLiteralsStayAsTheyAre() {
    assertEquals("COMMENT ON DATABASE \"new\" IS 'DATABASE shop stays'",
        DatabaseProperties.renamed("COMMENT ON DATABASE shop IS 'DATABASE shop stays'", "shop", "new"));
    assertEquals("ALTER ROLE r IN DATABASE \"new db\" SET work_mem TO '8MB'",
        DatabaseProperties.renamed("ALTER ROLE r IN DATABASE \"Shop \"\"1\"\"\" SET work_mem TO '8MB'", "Shop \"1\"",
            "new db"));
    assertEquals("GRANT CONNECT ON DATABASE \"new\" TO r",
        DatabaseProperties.renamed("GRANT CONNECT ON DATABASE shop TO r", "shop", "new"));
  }

  @Test
  void aLongerNameStartingWithTheSourceIsNotTheSource() {
    assertThrows(CairnException.class,
        () -> DatabaseProperties.renamed("ALTER DATABASE shop2 CONNECTION LIMIT = 3", "shop", "new"));
  }
}
