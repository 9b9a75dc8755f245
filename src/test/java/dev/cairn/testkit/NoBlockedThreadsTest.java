package dev.cairn.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class NoBlockedThreadsTest {
  @Test
  void aBlockedThreadWarningFromVertxIsRecordedAndOtherLinesAreNot() {
    NoBlockedThreads.take();
    Logger.getLogger(NoBlockedThreads.LOGGER).log(new LogRecord(Level.WARNING,
        "Thread Thread[vert.x-eventloop-thread-1,5,main] has been blocked for 2871 ms, time limit is 2000 ms"));
    Logger.getLogger(NoBlockedThreads.LOGGER).log(new LogRecord(Level.WARNING, "something else"));
    var seen = NoBlockedThreads.take();
    assertEquals(1, seen.size());
    assertTrue(seen.get(0).contains("eventloop-thread-1"));
  }
}
