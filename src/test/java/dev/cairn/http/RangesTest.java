package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RangesTest {
  private static String show(String header, long size) {
    Ranges.Range r = Ranges.parse(header, size);
    return r.unsatisfiable() ? "416" : r.whole() ? "whole" : r.start() + "-" + r.end();
  }

  @Test
  void oneRangeInItsThreeForms() {
    assertEquals("0-99", show("bytes=0-99", 1000));
    assertEquals("500-999", show("bytes=500-", 1000));
    assertEquals("900-999", show("bytes=-100", 1000));
    assertEquals("0-999", show("bytes=-5000", 1000));
    assertEquals("10-999", show("bytes=10-99999", 1000));
  }

  @Test
  void aRangeStartingAtOrPastTheEndIsUnsatisfiable() {
    assertEquals("416", show("bytes=1000-", 1000));
    assertEquals("416", show("bytes=1000-2000", 1000));
    assertEquals("416", show("bytes=-0", 1000));
  }

  @Test
  void malformedOrSeveralRangesAreIgnored() {
    for (String h : new String[] {null, "", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "items=0-1",
        "bytes=0-1,3-4", "bytes= 1 - x", "bytes=99999999999999999999-", "bytes=0x10-"}) {
      assertEquals("whole", show(h, 1000), String.valueOf(h));
    }
    assertTrue(Ranges.parse("bytes=0-0", 1).length() == 1);
  }
}
