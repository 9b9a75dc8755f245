package dev.cairn.agent;

import dev.cairn.storage.LocalStorage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.JobHistory;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon in-process against the real server: schedules, queueing, retention, health. */
class AgentIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private CairnConfig config(Path repo, int port, String schedule, String maxAge, String... dbs) {
    StringBuilder y = new StringBuilder("repository:\n  path: " + repo + "\nhttp:\n  port: " + port + "\n"
        + "agent:\n  max_concurrent_jobs: 2\ndatabases:\n");
    for (String db : dbs) {
      y.append("  - name: ").append(db).append("\n    url: ").append(PG.conninfo(db)).append("\n    jobs: 1\n")
          .append("    schedule: \"").append(schedule).append("\"\n    max_age: ").append(maxAge).append("\n")
          .append("    retention:\n      keep_last: 2\n");
    }
    return ConfigLoader.parse(y.toString(), "test.yaml", Map.of(), dir);
  }

  private static long succeeded(Path repo, String db) {
    return new JobHistory(LocalStorage.openForWrite(repo), 1000).read().stream()
        .filter(j -> j.kind() == Job.Kind.BACKUP && j.database().equals(db) && j.state() == Job.State.SUCCEEDED)
        .count();
  }

  private static List<String> archives(Path repo, String db) throws Exception {
    try (Stream<Path> s = Files.list(repo)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(db + "-") && n.endsWith(".cairn"))
          .sorted().toList();
    }
  }

  @Test
  void twoDatabasesOnAFastScheduleKeepExactlyTwoVerifiedBackupsEach() throws Exception {
    String a = PG.newDatabase("agent_a");
    String b = PG.newDatabase("agent_b");
    for (String db : List.of(a, b)) {
      PG.psql(db, "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 2000) g;");
    }
    Path repo = dir.resolve("repo");
    int port = freePort();
    Agent agent = Agent.start(config(repo, port, "*/2 * * * * *", "1d", a, b), Clock.systemUTC()).await(30, TimeUnit.SECONDS);
    try {
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      while ((succeeded(repo, a) < 4 || succeeded(repo, b) < 4) && System.nanoTime() < end) {
        TimeUnit.MILLISECONDS.sleep(250);
      }
      assertTrue(succeeded(repo, a) >= 4 && succeeded(repo, b) >= 4, "each database needs 4 scheduled backups");

      HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/api/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, health.statusCode(), health.body());
      assertTrue(health.body().contains("\"status\" : \"ok\""), health.body());
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
    for (String db : List.of(a, b)) {
      List<String> left = archives(repo, db);
      assertEquals(2, left.size(), db + ": keep_last 2 must leave exactly two, found " + left);
      for (String f : left) {
        CairnCli.Run v = CairnCli.run("verify", f.substring(0, f.length() - ".cairn".length()), "--repo", repo);
        assertEquals(0, v.code(), v.toString());
      }
    }
    List<Job> backups = new JobHistory(LocalStorage.openForWrite(repo), 1000).read().stream()
        .filter(j -> j.kind() == Job.Kind.BACKUP && j.state() == Job.State.SUCCEEDED).toList();
    assertTrue(backups.stream().allMatch(j -> j.workTotal() > 0 && j.workDone() == j.workTotal() && j.percent() == 100),
        "backup jobs record their progress against the tables' sizes: " + backups);
    CairnCli.Run history = CairnCli.run("history", "--repo", repo);
    assertEquals(0, history.code(), history.toString());
    assertTrue(history.out().contains("retention") && history.out().contains("succeeded"), history.out());
    try (Stream<Path> s = Files.list(repo)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no partial file remains");
    }
  }

  @Test
  void aSecondRequestWhileOneRunsIsQueuedOnceNotStacked() throws Exception {
    String db = PG.newDatabase("agent_q");
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g;");
    Path repo = dir.resolve("repo");
    Agent agent = Agent.start(config(repo, freePort(), "@yearly", "400d", db), Clock.systemUTC()).await(30, TimeUnit.SECONDS);
    try {
      // The missed-run backup starts at once (no backup yet); two more requests follow before it ends.
      var bus = agent.vertx().eventBus();
      Messages.JobAccepted second = bus.<Messages.JobAccepted>request(Addresses.BACKUP_REQUEST,
          new Messages.BackupRequest(db, "manual")).await(10, TimeUnit.SECONDS).body();
      Messages.JobAccepted third = bus.<Messages.JobAccepted>request(Addresses.BACKUP_REQUEST,
          new Messages.BackupRequest(db, "manual")).await(10, TimeUnit.SECONDS).body();
      assertTrue(second.note().startsWith("queued behind running job"), second.note());
      assertTrue(third.note().contains("already queued"), third.note());
      assertEquals(second.job().id(), third.job().id(), "the third request reports the queued job");

      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (succeeded(repo, db) < 2 && System.nanoTime() < end) {
        TimeUnit.MILLISECONDS.sleep(100);
      }
      TimeUnit.MILLISECONDS.sleep(500);
      assertEquals(2, succeeded(repo, db), "the missed run and the queued one; the stacked request is not run");
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverRestartDuringABackupFailsThatJobCleanlyAndTheNextRunWorks() throws Exception {
    try (PgCluster own = PgCluster.startNew()) {
      String db = own.newDatabase("bounce");
      own.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000) g;");
      // pg_dump that waits 3 s first: the backup is mid-flight (snapshot exported, leader open) when the server goes.
      Path bin = Files.createDirectories(dir.resolve("slowbin"));
      Path wrapper = bin.resolve("pg_dump");
      Files.writeString(wrapper, "#!/bin/sh\n[ \"$1\" = --version ] || sleep 3\nexec " + own.pgDump() + " \"$@\"\n");
      wrapper.toFile().setExecutable(true);
      Files.createSymbolicLink(bin.resolve("pg_dumpall"), own.binDir().resolve("pg_dumpall")); // roles, tablespaces
      Path repo = dir.resolve("repo");
      String yaml = "repository:\n  path: " + repo + "\npg_bin: " + bin + "\nhttp:\n  port: " + freePort()
          + "\ndatabases:\n  - name: bounce\n    url: " + own.conninfo(db)
          + "\n    schedule: \"*/5 * * * * *\"\n    max_age: 1d\n";
      Agent agent = Agent.start(ConfigLoader.parse(yaml, "t.yaml", Map.of(), dir), Clock.systemUTC())
          .await(30, TimeUnit.SECONDS);
      try {
        JobHistory h = new JobHistory(LocalStorage.openForWrite(repo), 1000);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (h.read().stream().noneMatch(j -> j.state() == Job.State.RUNNING) && System.nanoTime() < end) {
          TimeUnit.MILLISECONDS.sleep(50);
        }
        own.restart();
        end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (h.read().stream().noneMatch(j -> j.state() == Job.State.SUCCEEDED) && System.nanoTime() < end) {
          TimeUnit.MILLISECONDS.sleep(100);
        }
        List<Job> jobs = h.read();
        Job failed = jobs.stream().filter(j -> j.state() == Job.State.FAILED).findFirst().orElseThrow(
            () -> new AssertionError("the interrupted backup must be recorded as failed: " + jobs));
        assertTrue(failed.errorMessage() != null && !failed.errorMessage().isBlank(), failed.toString());
        assertTrue(jobs.stream().anyMatch(j -> j.state() == Job.State.SUCCEEDED
            && j.created().isAfter(failed.created())), "a later scheduled run must succeed: " + jobs);
      } finally {
        agent.stop("test").await(30, TimeUnit.SECONDS);
      }
      try (Stream<Path> s = Files.list(repo)) {
        assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".partial")), "no partial file remains");
      }
    }
  }
}
