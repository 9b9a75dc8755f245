package dev.cairn.cli;

import dev.cairn.agent.Agent;
import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.log.Logs;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "agent", description = "Run the backup agent in the foreground (stop with SIGTERM or Ctrl-C).")
final class AgentCommand implements java.util.concurrent.Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE")
  Path config;

  @Override
  public Integer call() throws InterruptedException {
    CairnConfig cfg = ConfigLoader.load(config, System.getenv(), Path.of(System.getProperty("user.home")));
    Logs.setup(cfg.log().format(), cfg.log().level());
    AtomicReference<Object> started = new AtomicReference<>();
    CountDownLatch ready = new CountDownLatch(1);
    Agent.start(cfg, Clock.systemUTC()).onComplete(ar -> {
      started.set(ar.succeeded() ? ar.result() : ar.cause());
      ready.countDown();
    });
    ready.await();
    if (started.get() instanceof Throwable t) {
      throw t instanceof CairnException ce ? ce : CairnException.wrap(t, ErrorCode.INTERNAL, "agent start");
    }
    Agent agent = (Agent) started.get();
    CountDownLatch stopped = new CountDownLatch(1);
    long graceMs = cfg.agent().shutdownGrace().toMillis();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      agent.stop("signal").onComplete(x -> stopped.countDown());
      try {
        stopped.await(graceMs, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cairn-agent-stop"));
    stopped.await();
    return 0;
  }
}
