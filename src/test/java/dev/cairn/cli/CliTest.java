package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import org.junit.jupiter.api.Test;

class CliTest {
  @Test
  void sizesAcceptBinaryUnits() {
    assertEquals(64L << 20, Cli.size("64MB"));
    assertEquals(4L << 20, Cli.size("4MiB"));
    assertEquals(512L << 10, Cli.size("512k"));
    assertEquals(1000, Cli.size("1000"));
  }

  @Test
  void durationsAcceptUnits() {
    assertEquals(10_000, Cli.millis("10s"));
    assertEquals(500, Cli.millis("500ms"));
    assertEquals(120_000, Cli.millis("2m"));
  }

  @Test
  void badSizeNamesTheValue() {
    CairnException e = assertThrows(CairnException.class, () -> Cli.size("lots"));
    assertTrue(e.getMessage().contains("\"lots\""));
  }
}
