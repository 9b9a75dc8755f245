package dev.cairn.pgtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A child's errors are kept whole, however much output follows them. */
class ChildProcessTest {

  @Test
  void everyErrorWithItsDetailAndHintIsKeptEvenWhenLongOutputFollows() throws Exception {
    String script = "echo 'pg_restore: while PROCESSING TOC:'; "
        + "echo 'pg_restore: error: could not execute query: ERROR:  role \"alice\" does not exist'; "
        + "echo 'LINE 1: ALTER'; echo '  ^'; echo 'DETAIL:  some detail'; echo 'QUERY:  x'; "
        + "echo 'HINT:  some hint'; echo 'Command was: ALTER TABLE t OWNER TO alice;'; "
        + "for i in $(seq 1 100); do echo \"  body line $i\"; done; "
        + "echo 'pg_restore: error: second one: FATAL:  terminating connection due to administrator command'";
    ChildProcess.Result r = new ChildProcess().run(List.of("/bin/sh", "-c", script), Map.of());
    String report = r.errorReport(6);
    assertEquals(2, r.errorCount());
    assertTrue(report.startsWith("pg_restore: error: could not execute query: ERROR:  role \"alice\" does not exist\n"
        + "DETAIL:  some detail\nHINT:  some hint\nCommand was: ALTER TABLE t OWNER TO alice;\n"), report);
    assertTrue(report.endsWith("FATAL:  terminating connection due to administrator command"), report);
    assertTrue(!report.contains("body line") && !report.contains("LINE 1") && !report.contains("QUERY"), report);
  }

  @Test
  void errorsPastTheLimitAreCountedNotShown() throws Exception {
    String script = "for i in $(seq 1 25); do echo \"pg_restore: error: failure number $i\"; done";
    ChildProcess.Result r = new ChildProcess().run(List.of("/bin/sh", "-c", script), Map.of());
    String report = r.errorReport(6);
    assertTrue(report.contains("failure number 20") && !report.contains("failure number 21"), report);
    assertTrue(report.endsWith("(5 more errors not shown, 25 in all)"), report);
  }

  @Test
  void withoutErrorLinesTheTailIsReported() throws Exception {
    ChildProcess.Result r = new ChildProcess().run(List.of("/bin/sh", "-c", "seq 1 10"), Map.of());
    assertEquals("7\n8\n9\n10", r.errorReport(4));
  }
}
