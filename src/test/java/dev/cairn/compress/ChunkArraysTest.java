package dev.cairn.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The pool keeps at most its bound of arrays, and only arrays of its length. */
class ChunkArraysTest {
  @Test
  void anArrayGivenBackIsTakenAgainAndOneOfAnotherLengthIsNot() {
    ChunkArrays a = new ChunkArrays(16, 2);
    byte[] b = a.take();
    assertEquals(16, b.length);
    a.give(b);
    assertSame(b, a.take());
    a.give(new byte[8]);
    assertEquals(16, a.take().length, "an array of another length is never handed out");
  }

  @Test
  void noMoreThanTheBoundAreKept() {
    ChunkArrays a = new ChunkArrays(4, 2);
    byte[] x = new byte[4];
    byte[] y = new byte[4];
    byte[] z = new byte[4];
    a.give(x);
    a.give(y);
    a.give(z);
    byte[] first = a.take();
    byte[] second = a.take();
    byte[] fresh = a.take();
    assertNotSame(z, first);
    assertNotSame(z, second);
    assertNotSame(x, fresh);
    assertNotSame(y, fresh);
    assertNotSame(z, fresh);
  }
}
