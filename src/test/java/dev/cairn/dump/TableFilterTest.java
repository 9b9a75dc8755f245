package dev.cairn.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableFilterTest {

  @Test
  void noPatternMatchesEverything() {
    assertTrue(TableFilter.all().matches("any", "thing"));
  }

  @Test
  void unqualifiedPatternMatchesTheNameInAnySchema() {
    TableFilter f = new TableFilter(List.of("orders"), List.of());
    assertTrue(f.matches("public", "orders"));
    assertTrue(f.matches("sales", "orders"));
    assertFalse(f.matches("public", "orders_archive"));
  }

  @Test
  void wildcardsMatchWithinSchemaAndName() {
    TableFilter f = new TableFilter(List.of("sales.ord*", "public.t?"), List.of());
    assertTrue(f.matches("sales", "orders"));
    assertFalse(f.matches("public", "orders"));
    assertTrue(f.matches("public", "t1"));
    assertFalse(f.matches("public", "t12"));
  }

  @Test
  void excludeWinsOverInclude() {
    TableFilter f = new TableFilter(List.of("*.*"), List.of("public.audit*"));
    assertTrue(f.matches("public", "orders"));
    assertFalse(f.matches("public", "audit_log"));
  }

  @Test
  void regexCharactersInNamesAreLiteral() {
    TableFilter f = new TableFilter(List.of("a.b+c(d)"), List.of());
    assertTrue(f.matches("a", "b+c(d)"));
    assertFalse(f.matches("a", "bbc(d)"));
  }

  @Test
  void patternWithTwoDotsIsRejectedWithItsText() {
    CairnException e = assertThrows(CairnException.class, () -> new TableFilter(List.of("a.b.c"), List.of()));
    assertEquals(ErrorCode.USAGE, e.code());
    assertTrue(e.getMessage().contains("\"a.b.c\""), e.getMessage());
  }

  @Test
  void pgDumpPatternIsQualifiedAndQuotedOutsideWildcards() {
    assertEquals("*.\"orders\"", TableFilter.toPgDumpPattern("orders"));
    assertEquals("\"Sales\".\"ord\"*", TableFilter.toPgDumpPattern("Sales.ord*"));
    assertEquals("\"a\".\"x\"\"y\"", TableFilter.toPgDumpPattern("a.x\"y"));
  }
}
