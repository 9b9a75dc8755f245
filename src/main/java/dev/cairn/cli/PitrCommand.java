package dev.cairn.cli;

import dev.cairn.config.CairnConfig;
import dev.cairn.config.ClusterConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.RepositoryEntry;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pitr.BaseBackup;
import dev.cairn.pitr.BaseInfo;
import dev.cairn.pitr.ClusterConn;
import dev.cairn.pitr.Marks;
import dev.cairn.pitr.PitrRestore;
import dev.cairn.pitr.PitrStatus;
import dev.cairn.pitr.PitrTest;
import dev.cairn.pitr.PitrTestLog;
import dev.cairn.pitr.PitrTestResult;
import dev.cairn.pitr.PitrStore;
import dev.cairn.pitr.Target;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "pitr", description = "Point-in-time recovery: base backups and streamed WAL in the repository.",
    subcommands = {PitrCommand.Status.class, PitrCommand.Backup.class, PitrCommand.Restore.class, PitrCommand.Mark.class,
        PitrCommand.Test.class})
final class PitrCommand {
  private PitrCommand() {}

  static ClusterConfig cluster(CairnConfig config, String name) {
    return config.cluster(name).orElseThrow(() -> new CairnException(ErrorCode.USAGE, "no cluster " + name
        + " in the configuration", "clusters: lists " + String.join(", ", config.clusters().stream()
        .map(ClusterConfig::name).toList())));
  }

  /** The configuration's first repository, where the agent keeps the cluster's base backups and WAL. */
  static Storage storage(CairnConfig config) {
    RepositoryEntry e = config.repositories().get(0);
    return e.local() != null ? LocalStorage.openForWrite(e.local().path()) : e.remote().open();
  }

  static CairnConfig load(Path file) {
    return ConfigLoader.load(file, System.getenv(), Path.of(System.getProperty("user.home")));
  }

  /**
   * The command that runs this cairn again (restore_command): this JVM, its class path (or {@code -Dcairn.classpath},
   * one the server's OS user can read), the CLI's main class.
   */
  static List<String> self() {
    return dev.cairn.pitr.SelfCommand.of();
  }

  @Command(name = "status", description = "The recovery window of each cluster, WAL lag, gaps and timelines.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec cmd;
    @Mixin RepoOptions repo;
    @Option(names = "--cluster", paramLabel = "NAME", description = "only this cluster") String cluster;
    @Option(names = "--json") boolean json;
    @Option(names = "--pg-bin", paramLabel = "DIR", description = "where pg_waldump is") Path pgBin;

    @Override
    public Integer call() {
      Storage s = repo.open().storage();
      List<String> names = cluster != null ? List.of(cluster) : PitrStore.clusters(s);
      List<PitrStatus> all = names.stream().map(n -> PitrStatus.of(new PitrStore(s, n), pgBin, Instant.now())).toList();
      if (json) {
        cmd.commandLine().getOut().println(new JsonObject().put("clusters",
            new JsonArray(all.stream().map(PitrStatus::toJson).map(Object.class::cast).toList())).encodePrettily());
        return 0;
      }
      for (PitrStatus st : all) {
        String test = PitrTestLog.last(new PitrStore(s, st.name())).map(t -> (t.passed() ? "passed " : "FAILED ")
            + t.finished()).orElse("none");
        cmd.commandLine().getOut().printf("%s: window %s .. %s, lag %s, %d base backups, timelines %s, gaps %s,"
            + " last restore test %s%n", st.name(), st.from() == null ? "none" : st.from(),
            st.to() == null ? "none" : st.to(),
            st.lagSeconds() == null ? "unknown" : String.format(java.util.Locale.ROOT, "%.1f s", st.lagSeconds()),
            st.baseBackups(), st.timelines(), st.gaps().isEmpty() ? "none" : String.join(" ", st.gaps()), test);
      }
      return 0;
    }
  }

  @Command(name = "backup", description = "Take a base backup of a configured cluster now.")
  static final class Backup implements Callable<Integer> {
    @Spec CommandSpec cmd;
    @Option(names = "--config", required = true, paramLabel = "FILE") Path config;
    @Option(names = "--cluster", required = true, paramLabel = "NAME") String cluster;

    @Override
    public Integer call() {
      Cli.setupLogging(false);
      CairnConfig c = load(config);
      ClusterConfig cc = cluster(c, cluster);
      PitrStore store = new PitrStore(storage(c), cc.name());
      BaseInfo b = new BaseBackup(store, new ClusterConn(cc.url()), cc.slot(), c.pgBin(), Clock.systemUTC()).run();
      cmd.commandLine().getOut().printf("%s (timeline %d, WAL %s .. %s, %s)%n", b.id(), b.timeline(), b.start(), b.stop(),
          Cli.bytes(b.storedBytes()));
      return 0;
    }
  }

  @Command(name = "restore", description = "Restore a cluster as of a moment into a new data directory.")
  static final class Restore implements Callable<Integer> {
    @Spec CommandSpec cmd;
    @Mixin RepoOptions repo;
    @Option(names = "--cluster", required = true, paramLabel = "NAME") String cluster;
    @Option(names = "--to", required = true, paramLabel = "TIME|LSN|NAME|latest",
        description = "a time with its offset (\"2026-12-01 10:15:00+00\"), a WAL location, a restore point, or latest")
    String to;
    @Option(names = "--data-dir", required = true, paramLabel = "DIR") Path dataDir;
    @Option(names = "--start", description = "start the server and wait until recovery reaches the target") boolean start;
    @Option(names = "--port", paramLabel = "N") Integer port;
    @Option(names = "--pg-bin", paramLabel = "DIR") Path pgBin;

    @Override
    public Integer call() {
      Cli.setupLogging(false);
      // from S3 the WAL the recovery needs is staged into the data directory first: restore_command never
      // carries a credential
      PitrStore store = new PitrStore(repo.open().storage(), cluster);
      PitrRestore.Result r = new PitrRestore(store).run(new PitrRestore.Options(Target.parse(to),
          dataDir.toAbsolutePath(), start, port, self(), pgBin));
      var out = cmd.commandLine().getOut();
      out.printf("base backup %s laid down in %s%n", r.base().id(), r.dataDir());
      if (r.recovery() == null) {
        out.println("start the server to recover (recovery.signal and the settings are in place)");
      } else {
        out.printf("recovered to %s: last transaction committed at %s, timeline %d, accepting connections%s%n", to,
            r.recovery().reached() == null ? "(none replayed)" : r.recovery().reached(), r.recovery().timeline(),
            port == null ? "" : " on port " + port);
      }
      return 0;
    }
  }

  @Command(name = "mark", description = "Create a named restore point (pg_create_restore_point) to restore to.")
  static final class Mark implements Callable<Integer> {
    @Spec CommandSpec cmd;
    @Parameters(index = "0", paramLabel = "NAME") String name;
    @Option(names = "--config", required = true, paramLabel = "FILE") Path config;
    @Option(names = "--cluster", required = true, paramLabel = "NAME") String cluster;

    @Override
    public Integer call() {
      CairnConfig c = load(config);
      ClusterConfig cc = cluster(c, cluster);
      PitrStore store = new PitrStore(storage(c), cc.name());
      cmd.commandLine().getOut().println(name + " at " + Marks.create(store, new ClusterConn(cc.url()), name));
      return 0;
    }
  }

  @Command(name = "test", description = "Restore-test a configured cluster now: a sentinel row written on the server,"
      + " a restore to latest into a throwaway cluster, the row looked for there; recorded like the agent's tests.")
  static final class Test implements Callable<Integer> {
    @Spec CommandSpec cmd;
    @Option(names = "--config", required = true, paramLabel = "FILE") Path config;
    @Option(names = "--cluster", required = true, paramLabel = "NAME") String cluster;
    @Option(names = "--timeout", paramLabel = "DURATION",
        description = "e.g. 10m (default: the cluster's restore_test.timeout, else 60m)")
    String timeout;

    @Override
    public Integer call() {
      Cli.setupLogging(false);
      CairnConfig c = load(config);
      ClusterConfig cc = cluster(c, cluster);
      Duration limit = timeout != null ? Duration.ofMillis(Cli.millis(timeout))
          : cc.restoreTest() != null ? cc.restoreTest().timeout() : ClusterConfig.RestoreTest.DEFAULT_TIMEOUT;
      PitrStore store = new PitrStore(storage(c), cc.name());
      PitrTest test = new PitrTest(store, new ClusterConn(cc.url()), self(), c.pgBin(), Clock.systemUTC());
      PitrTestResult r = runStoppable(test, limit, store);
      if (!r.passed()) {
        throw new CairnException(ErrorCode.valueOf(r.errorCode()), r.message(), r.hint());
      }
      cmd.commandLine().getOut().printf("restore test of cluster %s passed: sentinel %s found after a restore to latest"
          + " from base backup %s (restore %.1f s)%n", cc.name(), r.sentinel(), r.baseBackup(), r.restoreMs() / 1000.0);
      return 0;
    }

    /**
     * Runs and records the test; SIGINT/SIGTERM cancel it (its throwaway server stopped and removed, the test recorded
     * as cancelled), the JVM's exit held until then, at most {@link Cli#CLOSE_BOUND_SECONDS}.
     */
    private static PitrTestResult runStoppable(PitrTest test, Duration limit, PitrStore store) {
      // also when the test had just ended: the guard holds the exit while its result is recorded
      try (Cli.SignalGuard guard = new Cli.SignalGuard(() -> test.cancel("the restore test of cluster "
          + store.cluster() + " was cancelled by a signal", null))) {
        PitrTestResult r = test.run(limit);
        PitrTestLog.add(store, r);
        return r;
      }
    }
  }
}
