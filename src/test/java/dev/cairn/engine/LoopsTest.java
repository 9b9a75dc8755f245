package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import org.junit.jupiter.api.Test;

class LoopsTest {
  @Test
  void anErrorThrownByAStepFailsTheLoopInsteadOfEscaping() {
    Future<Void> f = Loops.repeat(() -> {
      throw new StackOverflowError();
    });
    assertTrue(f.failed());
    assertInstanceOf(StackOverflowError.class, f.cause());
  }

  @Test
  void aMillionSynchronousStepsKeepTheStackFlat() {
    int[] n = {0};
    Future<Void> f = Loops.repeat(() -> Future.succeededFuture(++n[0] < 1_000_000));
    assertTrue(f.succeeded(), String.valueOf(f.cause()));
    assertEquals(1_000_000, n[0]);
  }
}
