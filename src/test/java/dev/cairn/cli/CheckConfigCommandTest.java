package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CheckConfigCommandTest {
  @TempDir Path tmp;

  private String run(Path file) {
    CheckConfigCommand c = new CheckConfigCommand();
    c.clock = Clock.fixed(Instant.parse("2026-03-28T12:00:00Z"), ZoneOffset.UTC);
    CommandLine cl = new CommandLine(c);
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out, true));
    cl.parseArgs("--config", file.toString());
    assertEquals(0, c.call());
    return out.toString();
  }

  @Test
  void printsEachDatabasesNextRunsInItsZone() throws IOException {
    Path file = Files.writeString(tmp.resolve("cairn.yaml"), """
        repository: {path: %s}
        databases:
          - name: app
            url: host=db1
            schedule: ["0 */6 * * *", "@daily"]
            timezone: Europe/Berlin
          - name: reports
            url: host=db2
            schedule: "0 2 * * *"
        """.formatted(tmp));
    assertEquals("""
        OK: %s: 2 databases
        app: "0 */6 * * *", "@daily" in Europe/Berlin
          2026-03-28T18:00:00+01:00
          2026-03-29T00:00:00+01:00
          2026-03-29T06:00:00+02:00
          2026-03-29T12:00:00+02:00
          2026-03-29T18:00:00+02:00
        reports: "0 2 * * *" in UTC
          2026-03-29T02:00:00Z
          2026-03-30T02:00:00Z
          2026-03-31T02:00:00Z
          2026-04-01T02:00:00Z
          2026-04-02T02:00:00Z
        """.formatted(file), run(file));
  }

  @Test
  void anInvalidFileFailsWithTheConfigError() throws IOException {
    Path file = Files.writeString(tmp.resolve("bad.yaml"), "repository: {path: " + tmp + "}\n");
    CairnException e = assertThrows(CairnException.class, () -> run(file));
    assertEquals(ErrorCode.CONFIG, e.code());
    assertEquals(file + ": 1 problem\ndatabases: missing (list at least one database to back up)", e.getMessage());
  }
}
