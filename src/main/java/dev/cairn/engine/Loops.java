package dev.cairn.engine;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.Supplier;

/**
 * Asynchronous loops without future chains. Writing a loop as {@code step().compose(v -> loop())} keeps
 * every iteration's composition, and whatever its lambdas captured (4 MiB chunk buffers), reachable until
 * the last iteration ends: memory grows with the data. Here each iteration is forgotten once done.
 */
public final class Loops {
  private Loops() {}

  /** Runs {@code step} until its future yields false or fails. Never throws. */
  public static Future<Void> repeat(Supplier<Future<Boolean>> step) {
    Promise<Void> done = Promise.promise();
    iterate(step, done);
    return done.future();
  }

  private static void iterate(Supplier<Future<Boolean>> step, Promise<Void> done) {
    while (true) {
      Future<Boolean> f;
      try {
        f = step.get();
      } catch (RuntimeException | Error e) { // an OutOfMemoryError too: thrown on, it would leave the loop hanging
        done.fail(e);
        return;
      }
      if (!f.isComplete()) {
        f.onComplete(ar -> {
          if (ar.failed()) {
            done.fail(ar.cause());
          } else if (ar.result()) {
            iterate(step, done);
          } else {
            done.complete();
          }
        });
        return;
      }
      // Already complete: go round here instead of recursing, so the stack stays flat.
      if (f.failed()) {
        done.fail(f.cause());
        return;
      }
      if (!f.result()) {
        done.complete();
        return;
      }
    }
  }
}
