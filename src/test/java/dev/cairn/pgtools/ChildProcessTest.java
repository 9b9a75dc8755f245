package dev.cairn.pgtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A child's errors are kept whole, however much output follows them; a started child's data stream is the
 * caller's, its messages are kept, and it is stopped when closed or cancelled.
 */
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

  @Test
  void aStartedProgramsStdoutIsTheCallersWhileItsStderrIsKeptForTheErrorMessage() throws Exception {
    String script = "printf 'tar bytes'; echo 'pg_basebackup: error: connection refused' >&2; exit 3";
    List<String> seen = new CopyOnWriteArrayList<>();
    try (ChildProcess.Started p = new ChildProcess().start(List.of("/bin/sh", "-c", script), Map.of(),
        ChildProcess.Stdout.DATA, seen::add)) {
      assertEquals("tar bytes", new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8));
      ChildProcess.Result r = p.finish();
      assertEquals(3, r.exitCode());
      assertEquals(List.of("pg_basebackup: error: connection refused"), r.output(), "stderr only");
      assertEquals("pg_basebackup: error: connection refused", r.errorReport(5));
      assertEquals(r.output(), seen, "each line was given to the listener");
    }
  }

  @Test
  void withMessagesOnStdoutBothStreamsAreKept() throws Exception {
    try (ChildProcess.Started p = new ChildProcess().start(List.of("/bin/sh", "-c", "echo out; echo err >&2"),
        Map.of(), ChildProcess.Stdout.MESSAGES, line -> {})) {
      assertEquals(List.of("err", "out"), p.finish().output().stream().sorted().toList());
    }
  }

  @Test
  void theEnvironmentCarriesTheGivenVariablesAndNoInheritedPgOnes() throws Exception {
    ChildProcess.Result r = new ChildProcess().run(List.of("/bin/sh", "-c", "env | grep '^PG' | sort"),
        Map.of("PGPASSFILE", "/tmp/cairn-pass"));
    assertEquals(List.of("PGPASSFILE=/tmp/cairn-pass"), r.output());
  }

  @Test
  void closingAStartedProgramThatStillRunsStopsItAndItsChildren() throws Exception {
    ChildProcess.Started p = new ChildProcess().start(List.of("/bin/sh", "-c", "sleep 60 & sleep 60; wait"), Map.of(),
        ChildProcess.Stdout.MESSAGES, line -> {});
    ProcessHandle self = ProcessHandle.of(p.pid()).orElseThrow();
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (self.descendants().count() < 2 && System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    List<ProcessHandle> children = self.descendants().toList();
    assertEquals(2, children.size(), "both sleeps started");
    p.close();
    for (ProcessHandle h : List.of(self, children.get(0), children.get(1))) {
      h.onExit().get(10, TimeUnit.SECONDS); // times out if it still runs
    }
  }

  @Test
  void aProgramStartedAfterCancelIsStoppedAtOnce() throws Exception {
    ChildProcess child = new ChildProcess();
    child.cancel();
    try (ChildProcess.Started p = child.start(List.of("/bin/sleep", "60"), Map.of(), ChildProcess.Stdout.MESSAGES,
        line -> {})) {
      assertTrue(p.waitFor(Duration.ofSeconds(10)), "a stop that came first still stops it");
      assertEquals(-1, child.pid());
    }
  }
}
