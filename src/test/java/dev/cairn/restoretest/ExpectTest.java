package dev.cairn.restoretest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ExpectTest {
  @Test
  void comparisonsBetweenAndBooleansMeetTheirValues() {
    assertTrue(Expect.parse("> 0").test("1"));
    assertFalse(Expect.parse("> 0").test("0"));
    assertTrue(Expect.parse(">=1").test("1"));
    assertTrue(Expect.parse("< 10").test("9.5"));
    assertTrue(Expect.parse("<= 10").test("10"));
    assertTrue(Expect.parse("= 5").test("5.0"), "numbers compare as decimals");
    assertTrue(Expect.parse("<> 0").test("-3"));
    assertTrue(Expect.parse("between 1 and 10").test("10"));
    assertFalse(Expect.parse("BETWEEN 1 AND 10").test("11"));
    assertTrue(Expect.parse("true").test("t"));
    assertFalse(Expect.parse("true").test("false"));
    assertTrue(Expect.parse("false").test("f"));
  }

  @Test
  void nullAndTextNeverMeetANumber() {
    assertFalse(Expect.parse("> 0").test(null));
    assertFalse(Expect.parse("> 0").test("lots"));
    assertFalse(Expect.parse("true").test("yes please"));
  }

  @Test
  void anythingElseIsRefusedSayingWhatIsAccepted() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Expect.parse("roughly 5"));
    assertTrue(e.getMessage().contains("between 1 and 10"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Expect.parse("between 3 and 1"));
    assertThrows(IllegalArgumentException.class, () -> Expect.parse(""));
    assertEquals("!= 0", Expect.parse("<>0").toString());
  }
}
