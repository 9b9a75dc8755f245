package dev.cairn.testkit;

import dev.cairn.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

/** Runs the real command line in-process and keeps its exit code and output. */
public final class CairnCli {
  private CairnCli() {}

  public record Run(int code, String out, String err, List<String> args) {
    public String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1].strip();
    }

    @Override
    public String toString() {
      return "cairn " + String.join(" ", args) + " -> exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  public static Run run(Object... args) {
    String[] a = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(a, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString(), List.of(a));
  }
}
