package dev.cairn.cli;

import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.DatabaseConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "check-config",
    description = "Validate an agent configuration file; list each database's next five backup times.")
final class CheckConfigCommand implements Callable<Integer> {
  static final int RUNS = 5;

  @Spec CommandSpec cmd;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "the agent's YAML configuration")
  Path config;

  /** Where "now" comes from; tests fix it. */
  Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    CairnConfig c = ConfigLoader.load(config, System.getenv(), Path.of(System.getProperty("user.home")));
    PrintWriter out = cmd.commandLine().getOut();
    int n = c.databases().size();
    out.printf("OK: %s: %d database%s%n", config, n, n == 1 ? "" : "s");
    ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
    for (DatabaseConfig d : c.databases()) {
      String exprs = d.schedule().expressions().stream().map(e -> "\"" + e + "\"").collect(Collectors.joining(", "));
      out.printf("%s: %s in %s%n", d.name(), exprs, zoneName(d.timezone()));
      for (ZonedDateTime t : d.schedule().nextRuns(now, RUNS)) {
        out.println("  " + t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      }
    }
    return 0;
  }

  private static String zoneName(ZoneId z) {
    return z.equals(ZoneOffset.UTC) ? "UTC" : z.getId();
  }
}
