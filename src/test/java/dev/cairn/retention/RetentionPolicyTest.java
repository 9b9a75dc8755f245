package dev.cairn.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {
  @Test
  void negativeCountsAreRefusedNamingTheRule() {
    CairnException e = assertThrows(CairnException.class, () -> new RetentionPolicy(0, 0, 0, -1, 0));
    assertEquals(ErrorCode.CONFIG, e.code());
    assertTrue(e.getMessage().contains("keep_weekly is -1"), e.getMessage());
  }

  @Test
  void everyRuleOffKeepsEverything() {
    assertTrue(new RetentionPolicy(0, 0, 0, 0, 0).keepsEverything());
    assertEquals(RetentionPolicy.KEEP_EVERYTHING, new RetentionPolicy(0, 0, 0, 0, 0));
    assertFalse(new RetentionPolicy(0, 0, 0, 0, 1).keepsEverything());
  }

  @Test
  void describesTheRulesThatAreOn() {
    assertEquals("keep_last=7 keep_monthly=12", new RetentionPolicy(7, 0, 0, 0, 12).toString());
    assertEquals("keep everything", RetentionPolicy.KEEP_EVERYTHING.toString());
  }
}
