package dev.cairn.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Bus;
import dev.cairn.bus.Messages;
import dev.cairn.config.NotificationConfig;
import dev.cairn.jobs.Job;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The notify verticle on a real event bus and repository, delivering to a real HTTP receiver on loopback:
 * retries, Retry-After, de-duplication, the outbox, the stale-database watchdog and test messages.
 */
class NotifyVerticleIT {
  static Vertx vertx;
  static Receiver receiver;
  static final ConcurrentLinkedQueue<Messages.NotificationOutcome> OUTCOMES = new ConcurrentLinkedQueue<>();

  @TempDir Path dir;
  Repository repo;
  String deployment;
  /** The agent's clock, counting reads: every watchdog round reads it, so rounds can be awaited. */
  final TestClock clock = new TestClock();

  static final class TestClock extends Clock {
    final AtomicLong reads = new AtomicLong();
    volatile Duration offset = Duration.ZERO;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      reads.incrementAndGet();
      return Instant.now().plus(offset);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Bus.register(vertx);
    vertx.eventBus().<Messages.NotificationOutcome>consumer(Addresses.NOTIFY_OUTCOME, m -> OUTCOMES.add(m.body()));
    receiver = Receiver.start(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    receiver.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() {
    receiver.clear();
    OUTCOMES.clear();
    repo = Repository.of(LocalStorage.openForWrite(dir.resolve("repo")));
  }

  @AfterEach
  void tearDown() throws Exception {
    undeploy();
  }

  private void deploy(List<NotificationConfig> sinks, Map<String, Duration> maxAge, Map<String, Duration> slow)
      throws Exception {
    deployment = vertx.deployVerticle(new NotifyVerticle(sinks, repo, maxAge, slow, "https://cairn.example.com",
        clock, NotifyVerticle.Options.of(Duration.ofMillis(50), 5, Duration.ofMillis(50)))).await(10, TimeUnit.SECONDS);
  }

  private void undeploy() throws Exception {
    if (deployment != null) {
      vertx.undeploy(deployment).await(10, TimeUnit.SECONDS);
      deployment = null;
    }
  }

  private static NotificationConfig hook(String name, Set<String> events) {
    return new NotificationConfig(name, new NotificationConfig.Webhook(receiver.url("/" + name), null), events);
  }

  private static Job failedBackup(String db, String code) {
    Instant now = Instant.now();
    return Job.queued(Job.Kind.BACKUP, db, "schedule", now.minusSeconds(3)).running(now.minusSeconds(2))
        .failed(now, code, "backup of " + db + " failed: " + code.toLowerCase(java.util.Locale.ROOT));
  }

  private static void publish(Job j) {
    vertx.eventBus().publish(Addresses.JOB_EVENTS, new Messages.JobUpdate(j));
  }

  private static List<Receiver.Request> of(String type) {
    return receiver.requests().stream().filter(r -> r.json().getString("type").equals(type)).toList();
  }

  private static String jobOf(Receiver.Request r) {
    return r.json().getJsonObject("data").getString("jobId");
  }

  private static void await(BooleanSupplier cond, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting until " + what + "; received: " + receiver.requests());
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  /** Waits for at least {@code rounds} more watchdog rounds (each reads the clock at least once). */
  private void awaitRounds(int rounds) throws InterruptedException {
    long from = clock.reads.get();
    await(() -> clock.reads.get() >= from + rounds, rounds + " watchdog rounds");
  }

  @Test
  void aReceiverThatAnswers500Then200GetsExactlyOneDeliveryAndTheOutboxEmpties() throws Exception {
    deploy(List.of(hook("pager", Set.of("failure"))), Map.of(), Map.of());
    receiver.then(500);
    Job first = failedBackup("app", "DB_CONNECT");
    publish(first);
    publish(first); // the jobs verticle may publish a finished job again: one event all the same
    receiver.await(r -> r.answered() == 200 && jobOf(r).equals(first.id()), 20, "the retried delivery");
    Job second = failedBackup("app", "LOCK_TIMEOUT");
    publish(second);
    // deliveries to one sink are in order: once the second is in, no repeat of the first can follow it
    receiver.await(r -> jobOf(r).equals(second.id()), 20, "the second event");
    List<Receiver.Request> firsts = receiver.requests().stream().filter(r -> jobOf(r).equals(first.id())).toList();
    assertEquals(List.of(500, 200), firsts.stream().map(Receiver.Request::answered).toList());
    assertEquals(firsts.get(0).header("webhook-id"), firsts.get(1).header("webhook-id"), "a retry keeps its id");
    assertEquals(1, receiver.requests().stream().filter(r -> jobOf(r).equals(second.id())).count());
    await(() -> repo.storage().list(Outbox.DIR).isEmpty(), "the outbox is empty");
    await(() -> OUTCOMES.stream().filter(Messages.NotificationOutcome::delivered).count() == 2, "two sent outcomes");
    assertTrue(OUTCOMES.stream().allMatch(o -> o.sink().equals("pager") && o.kind().equals("webhook")));
  }

  @Test
  void a429RetryAfterIsWaitedForBeforeTheNextAttempt() throws Exception {
    deploy(List.of(hook("pager", Set.of("failure"))), Map.of(), Map.of());
    receiver.then(429, "1");
    Job j = failedBackup("app", "DB_CONNECT");
    publish(j);
    Receiver.Request ok = receiver.await(r -> r.answered() == 200, 20, "the delivery after the 429");
    Receiver.Request throttled = receiver.requests().get(0);
    assertEquals(429, throttled.answered());
    Duration gap = Duration.between(throttled.at(), ok.at());
    // the backoff alone would retry after about 50 ms
    assertTrue(gap.compareTo(Duration.ofMillis(950)) >= 0, "retried after " + gap.toMillis() + " ms");
  }

  @Test
  void aDeliveryThatFailsForGoodIsGivenUpCountedAndRemoved() throws Exception {
    deploy(List.of(hook("pager", Set.of("failure"))), Map.of(), Map.of());
    receiver.then(410);
    publish(failedBackup("app", "DB_CONNECT"));
    await(() -> OUTCOMES.stream().anyMatch(o -> !o.delivered()), "a failed outcome");
    assertEquals(1, receiver.requests().size(), "a 410 is final: no retry");
    await(() -> repo.storage().list(Outbox.DIR).isEmpty(), "the outbox is empty");
  }

  @Test
  void aPendingDeliveryInTheOutboxIsSentWhenTheVerticleStartsAgain() throws Exception {
    Event e = new Event(Event.newId(), Event.Type.BACKUP_FAILED, Instant.now(), "app", null, "j-1", null, 0,
        "DB_CONNECT", "left over from before a crash", null, null);
    new Outbox(repo.storage()).put(new Outbox.Entry("pager", e, 3));
    new Outbox(repo.storage()).put(new Outbox.Entry("removed-sink", e, 0));
    deploy(List.of(hook("pager", Set.of("failure"))), Map.of(), Map.of());
    Receiver.Request r = receiver.await(x -> x.answered() == 200, 20, "the resumed delivery");
    assertEquals(e.id(), r.header("webhook-id"));
    await(() -> repo.storage().list(Outbox.DIR).isEmpty(), "the outbox is empty, the unknown sink's entry too");
  }

  private void backup(String id, Instant finished) {
    Manifest m = new Manifest(1, id, "app", "dev", "15", 150000, "15", "UTF8", "s", finished, finished, finished,
        new JsonObject(), List.of(), List.of(), List.of(), List.of());
    repo.storage().put(id + Repository.SUFFIX, new byte[100]);
    repo.catalog().put(BackupCatalog.Summary.of(m, id, 100, Verification.UNVERIFIED));
  }

  private static String id(Instant t) {
    return "app-" + DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(t);
  }

  @Test
  void aStaleDatabaseAlertsOnceAcrossRestartsThenOnceWhenItRecovers() throws Exception {
    Instant old = Instant.now().minus(Duration.ofHours(2));
    backup(id(old), old);
    Map<String, Duration> maxAge = Map.of("app", Duration.ofHours(1));
    deploy(List.of(hook("ops", Set.of("stale"))), maxAge, Map.of());
    Receiver.Request stale = receiver.await(r -> r.json().getString("type").equals("database.stale"), 20, "stale");
    assertTrue(stale.json().getJsonObject("data").getString("message").contains(id(old)), stale.body());
    awaitRounds(10);
    undeploy(); // the condition is remembered in the repository: a restart does not alert again
    deploy(List.of(hook("ops", Set.of("stale"))), maxAge, Map.of());
    awaitRounds(10);
    Instant now = Instant.now();
    backup(id(now), now);
    receiver.await(r -> r.json().getString("type").equals("database.recovered"), 20, "recovered");
    awaitRounds(10);
    assertEquals(1, of("database.stale").size(), "stale alerts once: " + receiver.requests());
    assertEquals(1, of("database.recovered").size());
    assertEquals(id(now), of("database.recovered").get(0).json().getJsonObject("data").getString("backupId"));
  }

  @Test
  void aDatabaseNeverBackedUpIsStaleOnlyOnceTheAgentHadMaxAgeToBackItUp() throws Exception {
    deploy(List.of(hook("ops", Set.of("stale"))), Map.of("app", Duration.ofHours(1)), Map.of());
    awaitRounds(10);
    assertEquals(List.of(), receiver.requests());
    clock.offset = Duration.ofHours(2);
    Receiver.Request r = receiver.await(x -> x.json().getString("type").equals("database.stale"), 20, "stale");
    assertTrue(r.json().getJsonObject("data").getString("message").contains("no good backup of app yet"), r.body());
  }

  @Test
  void aBackupRunningPastSlowAfterIsReportedOnceWhileItRuns() throws Exception {
    deploy(List.of(hook("ops", Set.of("slow", "backup"))), Map.of(), Map.of("app", Duration.ofSeconds(30)));
    Instant t0 = Instant.now().minusSeconds(60);
    Job running = Job.queued(Job.Kind.BACKUP, "app", "schedule", t0).running(t0);
    publish(running);
    Receiver.Request slow = receiver.await(r -> r.json().getString("type").equals("backup.slow"), 20, "slow");
    assertTrue(slow.json().getJsonObject("data").getString("message").contains("more than slow_after 30 s"),
        slow.body());
    awaitRounds(10);
    publish(running.succeeded(Instant.now()));
    receiver.await(r -> r.json().getString("type").equals("backup.succeeded"), 20, "the success");
    assertEquals(1, of("backup.slow").size(), "slow once, not again when it finishes: " + receiver.requests());
  }

  @Test
  void aTestMessageReachesEverySinkOnceAndEachOutcomeIsReported() throws Exception {
    int closed = dev.cairn.testkit.CairnProcess.freePort();
    NotificationConfig down = new NotificationConfig("down", new NotificationConfig.Slack("http://127.0.0.1:" + closed
        + "/services/x"), Set.of("failure"));
    deploy(List.of(hook("pager", Set.of("failure")), down), Map.of(), Map.of());
    Messages.NotifyTestReport report = vertx.eventBus().<Messages.NotifyTestReport>request(Addresses.NOTIFY_TEST,
        new Messages.NotifyTest(null)).await(30, TimeUnit.SECONDS).body();
    assertEquals(2, report.results().size());
    Messages.NotifyTestResult pager = report.results().get(0);
    Messages.NotifyTestResult slack = report.results().get(1);
    assertTrue(pager.delivered(), String.valueOf(pager));
    assertFalse(slack.delivered());
    assertTrue(slack.error().contains("http://127.0.0.1:" + closed + " unreachable"), slack.error());
    assertFalse(slack.error().contains("/services/x"), "no webhook path in errors: " + slack.error());
    assertEquals("test", receiver.requests().get(0).json().getString("type"));
    assertEquals(1, receiver.requests().size());
    ReplyException none = (ReplyException) org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> vertx.eventBus().request(Addresses.NOTIFY_TEST, new Messages.NotifyTest("nope")).await(10,
            TimeUnit.SECONDS));
    assertEquals(404, none.failureCode());
    assertEquals("no notification sink named nope (configured: pager, down)", none.getMessage());
  }

  @Test
  void aFinishedRestoreTestBecomesAPassedOrFailedEvent() throws Exception {
    deploy(List.of(hook("ops", Set.of("restore_test"))), Map.of(), Map.of());
    java.time.Instant at = java.time.Instant.parse("2026-12-02T02:00:00Z");
    vertx.eventBus().publish(Addresses.RESTORE_TEST_FINISHED, new Messages.RestoreTestFinished("app",
        "app-20261202T010000Z", "j-20261202T020000-0001", false, at, Duration.ofSeconds(95), Duration.ofSeconds(60),
        List.of("rows"), "RESTORE_MISMATCH", "table public.orders: digest differs from the manifest", null));
    vertx.eventBus().publish(Addresses.RESTORE_TEST_FINISHED, new Messages.RestoreTestFinished("app",
        "app-20261202T010000Z", "j-20261202T020000-0002", true, at, Duration.ofSeconds(90), Duration.ofSeconds(60),
        List.of("rows"), null, null, null));
    receiver.await(r -> r.json().getString("type").equals("restore_test.passed"), 20, "the passed test");
    JsonObject failed = of("restore_test.failed").get(0).json().getJsonObject("data");
    assertEquals("app-20261202T010000Z", failed.getString("backupId"));
    assertEquals(95.0, failed.getDouble("durationSeconds"));
    assertEquals("RESTORE_MISMATCH", failed.getJsonObject("error").getString("code"));
    assertEquals(Hints.of("RESTORE_MISMATCH"), failed.getJsonObject("error").getString("hint"));
    assertEquals("https://cairn.example.com/#job=j-20261202T020000-0001", failed.getString("link"));
  }

  @Test
  void aRepositoryThatCannotBeListedAlertsOnceAndAgainWhenItIsBack() throws Exception {
    deploy(List.of(hook("ops", Set.of("storage"))), Map.of("app", Duration.ofHours(1)), Map.of());
    awaitRounds(5);
    Path root = dir.resolve("repo");
    Path aside = dir.resolve("repo-aside");
    java.nio.file.Files.move(root, aside);
    java.nio.file.Files.writeString(root, "not a directory");
    Receiver.Request down = receiver.await(r -> r.json().getString("type").equals("storage.unreachable"), 20,
        "unreachable");
    assertTrue(down.json().getJsonObject("data").getString("message").startsWith("cannot list repository "),
        down.body());
    awaitRounds(10);
    java.nio.file.Files.delete(root);
    java.nio.file.Files.move(aside, root);
    receiver.await(r -> r.json().getString("type").equals("storage.recovered"), 20, "recovered");
    assertEquals(1, of("storage.unreachable").size(), "once: " + receiver.requests());
  }
}
