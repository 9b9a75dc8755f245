package dev.cairn.cli;

import dev.cairn.bus.Messages;
import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.notify.Sinks;
import io.vertx.core.WorkerExecutor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "notify", description = "Notification sinks (the notifications: list of an agent configuration).",
    subcommands = {NotifyCommand.Test.class})
final class NotifyCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Override
  public Integer call() {
    cmd.commandLine().usage(cmd.commandLine().getOut());
    return 0;
  }

  @Command(name = "test", description = "Send a test message to every configured sink (or one) and report,"
      + " per sink, whether it was delivered. Exit code 11 when one was not.")
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec cmd;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "the agent's YAML configuration")
    Path config;

    @Option(names = "--sink", paramLabel = "NAME", description = "only this sink (notifications[].name)")
    String sink;

    @Override
    public Integer call() {
      CairnConfig c = ConfigLoader.load(config, System.getenv(), Path.of(System.getProperty("user.home")));
      if (c.notifications().isEmpty()) {
        throw new CairnException(ErrorCode.CONFIG, config + " configures no notifications",
            "add a notifications: list; conf/cairn.yaml shows each sink");
      }
      if (sink != null && c.notifications().stream().noneMatch(n -> n.name().equals(sink))) {
        throw new CairnException(ErrorCode.USAGE, "no notification sink named " + sink + " in " + config,
            "configured: " + String.join(", ", c.notifications().stream().map(n -> n.name()).toList()));
      }
      Cli.setupLogging(false);
      List<Messages.NotifyTestResult> results = Cli.await(1, (vertx, pools) -> {
        WorkerExecutor pool = vertx.createSharedWorkerExecutor("cairn-notify", 2);
        Sinks sinks = Sinks.create(vertx, c.notifications(), pool, Clock.systemUTC());
        return sinks.test(sink, c.http().publicUrl(), Clock.systemUTC().instant())
            .compose(r -> sinks.close().eventually(pool::close).map(r));
      }, null);
      PrintWriter out = cmd.commandLine().getOut();
      int failed = 0;
      for (Messages.NotifyTestResult r : results) {
        out.println((r.delivered() ? "delivered  " : "FAILED     ") + r.sink() + " (" + r.kind() + ")"
            + (r.delivered() ? "" : ": " + r.error()));
        failed += r.delivered() ? 0 : 1;
      }
      out.flush();
      if (failed > 0) {
        throw new CairnException(ErrorCode.NOTIFY_FAILED, failed + " of " + results.size() + " notification sink"
            + (results.size() == 1 ? "" : "s") + " did not take the test message",
            "check each sink's URL, credentials and network path from this host; the lines above say why");
      }
      return 0;
    }
  }
}
