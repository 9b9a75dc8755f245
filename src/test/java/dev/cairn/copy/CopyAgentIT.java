package dev.cairn.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.agent.Agent;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Bus;
import dev.cairn.bus.Messages;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.HttpConfig;
import dev.cairn.jobs.Job;
import dev.cairn.jobs.JobHistory;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Copies;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import dev.cairn.testkit.Mounts;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent with two local repositories against the real server: each backup lands in the first and is copied
 * to the second by a copy job, checked there before it is listed; a copy into a full repository is retried and
 * never listed incomplete; retention runs per repository; the API, metrics and health show the repositories.
 */
class CopyAgentIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final String TOKEN = "viewer-token-0123456789abcdefghijklmnopqrstu";
  private static String db;

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private int port;

  @BeforeAll
  static void data() {
    db = PG.newDatabase("copies");
    // ~2 MiB of text that compresses little: an archive far larger than the small tmpfs below
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS v"
        + " FROM generate_series(1, 30000) g;");
  }

  private Agent start(Path local, Path offsite, String localRetention, String offsiteRetention, String agentExtra)
      throws Exception {
    return start(local, offsite, localRetention, offsiteRetention, agentExtra, Clock.systemUTC());
  }

  private Agent start(Path local, Path offsite, String localRetention, String offsiteRetention, String agentExtra,
      Clock clock) throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String yaml = "repositories:\n"
        + "  - name: local\n    path: " + local + "\n    retention: " + localRetention + "\n"
        + "  - name: offsite\n    path: " + offsite + "\n    retention: " + offsiteRetention + "\n"
        + "http:\n  port: " + port + "\n  tokens:\n    - {name: viewer, role: viewer, sha256: "
        + HttpConfig.sha256Hex(TOKEN) + "}\n"
        + "agent:\n  run_missed_on_start: false\n" + agentExtra
        + "databases:\n  - name: " + db + "\n    url: " + PG.conninfo(db) + "\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n";
    return Agent.start(ConfigLoader.parse(yaml, "copy-test.yaml", Map.of(), dir), clock)
        .await(60, TimeUnit.SECONDS);
  }

  /** Starts a backup and returns the copy job that ends after it, once it ended. */
  private static Job backupAndCopy(Agent agent) throws Exception {
    Promise<Job> copied = Promise.promise();
    MessageConsumer<Messages.JobUpdate> c = whenJob(agent, j -> j.kind() == Job.Kind.COPY && j.state().done(), copied);
    try {
      agent.vertx().eventBus().request(Addresses.BACKUP_REQUEST, new Messages.BackupRequest(db, "test"))
          .await(10, TimeUnit.SECONDS);
      return copied.future().await(120, TimeUnit.SECONDS);
    } finally {
      c.unregister();
    }
  }

  private static MessageConsumer<Messages.JobUpdate> whenJob(Agent agent, Predicate<Job> p, Promise<Job> done) {
    return agent.vertx().eventBus().<Messages.JobUpdate>consumer(Addresses.JOB_EVENTS, m -> {
      if (p.test(m.body().job())) {
        done.tryComplete(m.body().job());
      }
    });
  }

  private JsonObject get(String path, int status) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(status, r.statusCode(), path + ": " + r.body());
    return path.equals("/metrics") ? new JsonObject().put("text", r.body()) : new JsonObject(r.body());
  }

  private static String sha256(Path f) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }

  private static boolean empty(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.findAny().isEmpty();
    }
  }

  private static List<String> names(Path repo) throws Exception {
    try (Stream<Path> s = Files.list(repo)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cairn")).sorted().toList();
    }
  }

  @Test
  void aBackupLandsInBothRepositoriesByteForByteAndTheCopyIsCheckedBeforeItIsListed() throws Exception {
    Path local = dir.resolve("local");
    Path offsite = dir.resolve("offsite");
    Agent agent = start(local, offsite, "{keep_last: 0}", "{keep_last: 0}", "");
    try {
      Job copy = backupAndCopy(agent);
      assertEquals(Job.State.SUCCEEDED, copy.state(), copy.toString());
      assertEquals("after backup, to offsite", copy.trigger());
      String id = copy.backupId();
      Path archive = local.resolve(id + Repository.SUFFIX);
      assertArrayEquals(Files.readAllBytes(archive), Files.readAllBytes(offsite.resolve(id + Repository.SUFFIX)));
      Repository target = Repository.open(offsite);
      Copies.Record rec = target.copies().get(id).orElseThrow();
      assertEquals("local", rec.from());
      assertEquals(sha256(archive), rec.sha256(), "the copy record holds the source's whole-object SHA-256");
      Backups.Entry listed = Backups.list(target).get(0);
      assertEquals(id, listed.id());
      assertEquals(Verification.State.VERIFIED, listed.verification().state());
      assertEquals("full verify at copy", listed.verification().method());
      assertTrue(empty(offsite.resolve("incoming")), "no upload is left behind");

      JsonArray repos = get("/api/v1/repositories", 200).getJsonArray("repositories");
      assertEquals(2, repos.size(), repos.encodePrettily());
      JsonObject first = repos.getJsonObject(0);
      JsonObject second = repos.getJsonObject(1);
      assertEquals(List.of("local", "offsite"), List.of(first.getString("name"), second.getString("name")));
      assertEquals(List.of("local", "local"), List.of(first.getString("kind"), second.getString("kind")));
      assertEquals(offsite.toString(), second.getString("location"));
      assertTrue(first.getBoolean("receivesBackups") && !second.getBoolean("receivesBackups"));
      assertEquals(1, second.getInteger("backups"));
      assertEquals(Files.size(archive), second.getLong("bytes"));
      assertTrue(second.getLong("freeBytes") > 0, second.encode());
      assertEquals("ok", second.getJsonObject("lastCopy").getString("status"), second.encode());
      assertEquals(rec.copiedAt().toString(), second.getJsonObject("lastCopy").getString("succeeded"));

      JsonArray copies = get("/api/v1/backups", 200).getJsonArray("backups").getJsonObject(0).getJsonArray("copies");
      assertEquals(2, copies.size(), copies.encode());
      JsonObject there = copies.stream().map(JsonObject.class::cast).filter(c -> c.getString("repository")
          .equals("offsite")).findFirst().orElseThrow();
      assertTrue(there.getBoolean("verified"));
      assertEquals(rec.copiedAt().toString(), there.getString("copiedAt"));
      JsonObject here = copies.stream().map(JsonObject.class::cast).filter(c -> c.getString("repository")
          .equals("local")).findFirst().orElseThrow();
      assertEquals(null, here.getString("copiedAt"), "the first repository received the backup itself");
      assertEquals(copies.size(), get("/api/v1/backups/" + id, 200).getJsonArray("copies").size());

      String metrics = get("/metrics", 200).getString("text");
      assertTrue(metrics.contains("cairn_repository_backups{repository=\"offsite\"} 1.0"), metrics);
      assertTrue(metrics.contains("cairn_repository_copy_failing{repository=\"offsite\"} 0.0"), metrics);
      JsonObject health = get("/api/v1/health", 200);
      assertEquals("ok", health.getString("status"), health.encodePrettily());
      assertEquals(2, health.getJsonArray("repositories").size());
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aCopyIntoAFullRepositoryIsRetriedNeverListedIncompleteAProblemInHealthAndCaughtUpAtTheNextStart() throws Exception {
    Path local = dir.resolve("local");
    try (Mounts full = Mounts.tmpfs("size=256k")) {
      Path offsite = full.dir();
      Agent agent = start(local, offsite, "{}", "{}", "  copy_attempts: 2\n  copy_backoff: 100ms\n");
      try {
        Job failed = backupAndCopy(agent);
        assertEquals(Job.State.FAILED, failed.state(), failed.toString());
        assertEquals("REPO_WRITE", failed.errorCode());
        assertTrue(failed.errorMessage().startsWith("copy of " + failed.backupId() + " to offsite failed after 2"
            + " attempt(s): "), failed.errorMessage());
        assertTrue(failed.errorMessage().contains("; then: "), "every attempt's error: " + failed.errorMessage());
        assertEquals(List.of(), names(offsite), "nothing incomplete is ever published");
        assertTrue(Backups.list(Repository.open(offsite)).isEmpty());
        assertTrue(empty(offsite.resolve("incoming")), "the failed upload is removed");

        JsonObject health = get("/api/v1/health", 503);
        assertTrue(health.encode().contains("repository offsite: copies are failing"), health.encodePrettily());
        JsonObject first = health.getJsonArray("problems").getJsonObject(0);
        assertEquals(List.of("copy_failing", "critical"), List.of(first.getString("kind"), first.getString("severity")),
            "the console's summary names it first: " + first.encode());
        assertTrue(get("/metrics", 200).getString("text")
            .contains("cairn_repository_copy_failing{repository=\"offsite\"} 1.0"));

        full.remount("size=64m");
        agent.stop("test").await(30, TimeUnit.SECONDS);
        agent = start(local, offsite, "{}", "{}", "");
        Job caughtUp = awaitJob(agent, j -> j.kind() == Job.Kind.COPY && j.state().done()
            && j.trigger().equals("missing at start, to offsite"));
        assertEquals(Job.State.SUCCEEDED, caughtUp.state(), caughtUp.toString());
        assertEquals(failed.backupId(), caughtUp.backupId());
        assertArrayEquals(Files.readAllBytes(local.resolve(failed.backupId() + Repository.SUFFIX)),
            Files.readAllBytes(offsite.resolve(failed.backupId() + Repository.SUFFIX)));
        assertEquals("ok", get("/api/v1/health", 200).getString("status"));
      } finally {
        agent.stop("test").await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aCopyWaitingToRetryIsCancelledAndLeavesNothingInItsTarget() throws Exception {
    Path local = dir.resolve("local");
    try (Mounts full = Mounts.tmpfs("size=256k")) {
      Path offsite = full.dir();
      Agent agent = start(local, offsite, "{}", "{}", "  copy_attempts: 5\n  copy_backoff: 1m\n");
      try {
        Promise<Job> ended = Promise.promise();
        MessageConsumer<Messages.JobUpdate> c = whenJob(agent, j -> j.kind() == Job.Kind.COPY && j.state().done(),
            ended);
        agent.vertx().eventBus().request(Addresses.BACKUP_REQUEST, new Messages.BackupRequest(db, "test"))
            .await(10, TimeUnit.SECONDS);
        Messages.CopyStatus failing = awaitStatus(agent, s -> s.lastError() != null);
        assertFalse(failing.failing(), "one failed attempt of five: retrying, not failing");
        assertEquals("retrying", get("/api/v1/repositories", 200).getJsonArray("repositories").getJsonObject(1)
            .getJsonObject("lastCopy").getString("status"));
        Job waiting = awaitJob(agent, j -> j.kind() == Job.Kind.COPY && j.state() == Job.State.RUNNING);
        Messages.JobAccepted again = agent.vertx().eventBus().<Messages.JobAccepted>request(Addresses.COPY_REQUEST,
            new Messages.CopyRequest(waiting.backupId(), null, "offsite", "api")).await(10, TimeUnit.SECONDS).body();
        assertEquals(waiting.id(), again.job().id(), "a copy under way is not started twice: " + again.note());
        agent.vertx().eventBus().request(Addresses.COPY_CANCEL, new Messages.CancelJob(waiting.id()))
            .await(10, TimeUnit.SECONDS);
        Job done = ended.future().await(30, TimeUnit.SECONDS);
        c.unregister();
        assertEquals(Job.State.CANCELLED, done.state(), done.toString());
        assertEquals(List.of(), names(offsite));
        assertTrue(empty(offsite.resolve("incoming")));
      } finally {
        agent.stop("test").await(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void stoppingTheAgentCancelsItsCopiesAndRecordsThemCancelled() throws Exception {
    Path local = dir.resolve("local");
    try (Mounts full = Mounts.tmpfs("size=256k")) {
      Agent agent = start(local, full.dir(), "{}", "{}", "  copy_attempts: 5\n  copy_backoff: 1m\n");
      agent.vertx().eventBus().request(Addresses.BACKUP_REQUEST, new Messages.BackupRequest(db, "test"))
          .await(10, TimeUnit.SECONDS);
      awaitStatus(agent, s -> s.lastError() != null);
      agent.stop("test").await(30, TimeUnit.SECONDS);
      List<Job> copies = new JobHistory(LocalStorage.openForWrite(local), 1000).read().stream()
          .filter(j -> j.kind() == Job.Kind.COPY).toList();
      Job last = copies.get(copies.size() - 1);
      assertEquals(Job.State.CANCELLED, last.state(), copies.toString());
      assertTrue(last.errorMessage().startsWith("cancelled: the agent is stopping"), last.errorMessage());
    }
  }

  /** Polls the jobs verticle: a job started during the agent's start cannot be watched from its first event. */
  private static Job awaitJob(Agent agent, Predicate<Job> p) throws Exception {
    return poll(() -> agent.vertx().eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY,
        new Messages.JobsQuery(null, false, 0)).await(10, TimeUnit.SECONDS).body().jobs(), p);
  }

  /** Polls the copy verticle: a failed attempt that will be retried is no job event. */
  private static Messages.CopyStatus awaitStatus(Agent agent, Predicate<Messages.CopyStatus> p) throws Exception {
    return poll(() -> agent.vertx().eventBus().<Messages.CopyStatusList>request(Addresses.COPY_STATUS,
        new Messages.CopyStatusQuery()).await(10, TimeUnit.SECONDS).body().repositories(), p);
  }

  private static <T> T poll(java.util.concurrent.Callable<List<T>> read, Predicate<T> p) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      for (T t : read.call()) {
        if (p.test(t)) {
          return t;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new AssertionError("nothing matched within 60 s");
  }

  @Test
  void aBackupIdFreedHereByRetentionButHeldByACopyIsNotReused() throws Exception {
    Path local = dir.resolve("local");
    Path offsite = dir.resolve("offsite");
    // every backup in the same second: the second one's id is the first one's unless the copy target is asked
    Clock frozen = Clock.fixed(java.time.Instant.now(), java.time.ZoneOffset.UTC);
    Agent agent = start(local, offsite, "{}", "{}", "", frozen);
    try {
      Job first = backupAndCopy(agent);
      assertEquals(Job.State.SUCCEEDED, first.state(), first.toString());
      Repository.open(local).delete(first.backupId());
      Job second = backupAndCopy(agent);
      assertEquals(Job.State.SUCCEEDED, second.state(), second.toString());
      assertEquals(first.backupId() + "-1", second.backupId());
      assertArrayEquals(Files.readAllBytes(local.resolve(second.backupId() + Repository.SUFFIX)),
          Files.readAllBytes(offsite.resolve(second.backupId() + Repository.SUFFIX)));
      assertEquals(Stream.of(first.backupId(), second.backupId()).map(id -> id + Repository.SUFFIX).sorted().toList(),
          names(offsite));
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void retentionRunsPerRepositoryWithItsOwnPolicy() throws Exception {
    Path local = dir.resolve("local");
    Path offsite = dir.resolve("offsite");
    Agent agent = start(local, offsite, "{keep_last: 1}", "{keep_last: 2}", "");
    try {
      List<String> ids = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Job copy = backupAndCopy(agent);
        assertEquals(Job.State.SUCCEEDED, copy.state(), copy.toString());
        ids.add(copy.backupId());
      }
      Messages.RetentionReport report = agent.vertx().eventBus().<Messages.RetentionReport>request(
          Addresses.RETENTION_RUN, new Messages.RetentionRequest(null, false, "test"), Bus.slow())
          .await(60, TimeUnit.SECONDS).body();
      assertFalse(report.decisions().isEmpty());
      assertEquals(List.of(ids.get(2) + Repository.SUFFIX), names(local), "local keeps the newest one");
      // ids of one second differ by a suffix ("-1"), which sorts before the dot: compare as names() sorts
      assertEquals(Stream.of(ids.get(1), ids.get(2)).map(id -> id + Repository.SUFFIX).sorted().toList(),
          names(offsite), "offsite keeps the newest two");
      assertFalse(Files.exists(offsite.resolve(Copies.DIR + ids.get(0) + ".json")), "a deleted copy's record goes too");
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
  }
}
