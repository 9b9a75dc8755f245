package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.testkit.CairnCli;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest {
  @Test
  void sizesAcceptBinaryUnits() {
    assertEquals(64L << 20, Cli.size("64MB"));
    assertEquals(4L << 20, Cli.size("4MiB"));
    assertEquals(512L << 10, Cli.size("512k"));
    assertEquals(1000, Cli.size("1000"));
  }

  @Test
  void durationsAcceptUnits() {
    assertEquals(10_000, Cli.millis("10s"));
    assertEquals(500, Cli.millis("500ms"));
    assertEquals(120_000, Cli.millis("2m"));
  }

  @Test
  void badSizeNamesTheValue() {
    CairnException e = assertThrows(CairnException.class, () -> Cli.size("lots"));
    assertTrue(e.getMessage().contains("\"lots\""));
  }

  /** Regression (issue 9): "cairn backup --help" printed "Missing required options". */
  @Test
  void everyCommandPrintsItsUsageForHelpAndExits0() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(null), new ArrayList<>(), paths);
    assertTrue(paths.size() > 10, "the subcommands were found: " + paths);
    for (List<String> path : paths) {
      for (String help : List.of("--help", "-h")) {
        List<String> args = new ArrayList<>(path);
        args.add(help);
        CairnCli.Run r = CairnCli.run(args.toArray());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: cairn " + String.join(" ", path)), r.toString());
        assertEquals("", r.err(), r.toString());
      }
    }
  }

  private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
    cl.getSubcommands().forEach((name, sub) -> {
      if (!name.equals(sub.getCommandName())) {
        return; // an alias: covered under its name
      }
      List<String> p = new ArrayList<>(path);
      p.add(name);
      out.add(p);
      collect(sub, p, out);
    });
  }
}
