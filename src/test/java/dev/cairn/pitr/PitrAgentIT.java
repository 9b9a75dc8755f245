package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.agent.Agent;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.HttpConfig;
import dev.cairn.http.ConsoleBrowserIT;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Storage;
import dev.cairn.storage.s3.S3Location;
import dev.cairn.storage.s3.S3Storage;
import dev.cairn.storage.s3.S3Tuning;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.S3Server;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The agent's point-in-time recovery end to end: an agent with one {@code clusters:} entry against a throwaway
 * server takes the first base backup at start, streams the WAL, and shows the window over HTTP (API, health,
 * metrics) from what its verticle maintains; the window follows the writes, survives a killed pg_receivewal
 * without a gap, the agent's PITR restore test finds its sentinel, the repository's PITR objects read from S3
 * serve {@code pitr status}, {@code wal-get} and {@code pitr restore}, the schedules list the restore test's, the console
 * shows the window and the next test, and {@code cairn pitr test} fails, recorded, once nothing streams. The steps build on each other, so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrAgentIT {
  static final String VIEWER = "pitr-viewer-token-0123456789abcdefghijklmnop";
  static final String OPERATOR = "pitr-operator-token-0123456789abcdefghijklm";
  static final Pattern METRIC = Pattern.compile("(?m)^(cairn_pitr_\\w+)\\{cluster=\"main\",?\\} (\\S+)$");
  static PgCluster pg;
  static Path work;
  static Path config;
  static Agent agent;
  static int port;
  static PitrStore store;
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void startAgent() throws Exception {
    pg = PgCluster.startNew();
    work = Files.createTempDirectory(Path.of("/tmp"), "cairn-pitr-agent-it-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    // the restore test's server runs as postgres, which cannot read root's ~/.m2: wal-get from a readable copy
    List<String> walGet = PitrIT.walGetCommand(work.resolve("cp"));
    System.setProperty("cairn.classpath", walGet.get(walGet.indexOf("-cp") + 1));
    pg.psql("postgres", "CREATE TABLE marks (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    port = PitrIT.freePort();
    Path repo = work.resolve("repo");
    config = work.resolve("cairn.yaml");
    Files.writeString(config, "repository:\n  path: " + repo + "\nhttp:\n  port: " + port + "\n  tokens:\n"
        + "    - {name: viewer, role: viewer, sha256: " + HttpConfig.sha256Hex(VIEWER) + "}\n"
        + "    - {name: operator, role: operator, sha256: " + HttpConfig.sha256Hex(OPERATOR) + "}\n"
        + "agent:\n  run_missed_on_start: false\n"
        + "clusters:\n  - name: main\n    url: postgresql://postgres@127.0.0.1:" + pg.port()
        + "/postgres?replication=true&sslmode=disable\n"
        + "    base_backup: {schedule: \"@yearly\"}\n"
        + "    wal: {slot: cairn_agent_it, max_lag: 5m, spool: " + work.resolve("spool") + "}\n"
        + "    restore_test: {schedule: \"@yearly\", timeout: 5m, max_test_age: 1d}\n");
    agent = Agent.start(ConfigLoader.load(config, Map.of(), work), Clock.systemUTC()).await(60, TimeUnit.SECONDS);
    store = new PitrStore(LocalStorage.open(repo), "main");
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    try {
      if (agent != null) {
        agent.stop("test").await(30, TimeUnit.SECONDS);
      }
    } finally {
      if (pg != null) {
        pg.close();
      }
      if (work != null) {
        PitrRestore.deleteTree(work);
      }
    }
  }

  @Test
  @Order(1)
  void theAgentTakesTheFirstBaseBackupAtStartAndShowsItsWindowWithHealthOk() throws Exception {
    JsonObject c = waitForCluster(j -> j.getJsonObject("window").getString("from") != null, "a window");
    assertEquals(1, c.getInteger("base_backups"), c.encodePrettily());
    assertNotNull(c.getJsonObject("last_base_backup"), c.encodePrettily());
    assertEquals(new JsonArray(), c.getJsonArray("gaps"));
    assertNotNull(c.getString("window_checked"), "the reading says when it was made");
    assertTrue(c.getDouble("window_age_seconds") >= 0, c.encodePrettily());
    // no restore test yet with max_test_age set: the one problem
    assertEquals(List.of("restore_test_failing"), kinds(c), c.encodePrettily());
  }

  @Test
  @Order(2)
  void theWindowEndFollowsACommitOnceItsSegmentIsPublishedAndTheLagStaysWithinMaxLag() throws Exception {
    Instant committed = row(1);
    JsonObject c = waitForCluster(j -> to(j) != null && !to(j).isBefore(committed), "the window reaching " + committed);
    assertTrue(c.getDouble("lag_seconds") <= c.getDouble("max_lag_seconds"), c.encodePrettily());
    assertEquals(new JsonArray(), c.getJsonArray("gaps"));

    Map<String, Double> m = metrics();
    assertEquals(to(c).toEpochMilli() / 1000.0, m.get("cairn_pitr_window_end_timestamp_seconds"), 0.001, m.toString());
    assertEquals(Instant.parse(c.getJsonObject("window").getString("from")).toEpochMilli() / 1000.0,
        m.get("cairn_pitr_window_start_timestamp_seconds"), 0.001);
    assertEquals(0.0, m.get("cairn_pitr_gaps"));
    assertTrue(m.get("cairn_pitr_last_base_backup_size_bytes") > 0, m.toString());
    assertTrue(m.get("cairn_pitr_lag_seconds") >= 0, m.toString());
  }

  @Test
  @Order(3)
  void aKilledPgReceivewalIsStartedAgainAndTheWindowHasNoGap() throws Exception {
    ProcessHandle receivewal = waitForReceivewal();
    receivewal.destroyForcibly();
    receivewal.onExit().get(30, TimeUnit.SECONDS);
    Instant committed = row(2);
    row(3);
    JsonObject c = waitForCluster(j -> to(j) != null && to(j).isAfter(committed) && j.getLong("receiver_restarts") >= 1,
        "the window past " + committed + " after a restart");
    assertEquals(new JsonArray(), c.getJsonArray("gaps"), c.encodePrettily());
    waitForMetric("cairn_pitr_receiver_restarts_total", v -> v >= 1);
  }

  @Test
  @Order(4)
  void aPitrRestoreTestAskedOfTheAgentFindsTheSentinelRowInTheClusterRestoredToLatestAndHealthTurnsGreen()
      throws Exception {
    java.util.concurrent.CompletableFuture<Messages.RestoreTestFinished> published = new java.util.concurrent.CompletableFuture<>();
    agent.vertx().eventBus().<Messages.RestoreTestFinished>consumer(Addresses.RESTORE_TEST_FINISHED,
        m -> published.complete(m.body()));
    HttpResponse<String> started = send("POST", "/api/v1/pitr/main/test", OPERATOR);
    assertEquals(202, started.statusCode(), started.body());
    assertEquals("main", new JsonObject(started.body()).getString("cluster"));
    HttpResponse<String> again = send("POST", "/api/v1/pitr/main/test", OPERATOR);
    assertEquals(409, again.statusCode(), "one test at a time: " + again.body());
    assertEquals(404, send("POST", "/api/v1/pitr/other/test", OPERATOR).statusCode());
    JsonObject c = waitForCluster(j -> j.getJsonObject("restore_test") != null, "the test in the agent's report");
    JsonObject test = c.getJsonObject("restore_test");
    assertTrue(test.getBoolean("passed"), c.encodePrettily());
    assertTrue(test.getLong("restore_ms") > 0, test.encode());
    assertEquals(store.bases().get(store.bases().size() - 1).id(), test.getString("base_backup"));
    assertEquals("1", pg.psql("postgres", "SELECT count(*) FROM " + PitrTest.TABLE + " WHERE id = '"
        + test.getString("sentinel") + "'"), "the sentinel is on the live server too");
    assertEquals(test.getString("sentinel"), PitrTestLog.last(store).orElseThrow().sentinel(), "recorded");
    Messages.RestoreTestFinished f = published.get(60, TimeUnit.SECONDS);
    assertEquals(List.of("main", test.getString("base_backup"), "true"), List.of(f.database(), f.backupId(),
        String.valueOf(f.passed())), "for the notifications: " + f);
    assertEquals(List.of(), kinds(c), c.encodePrettily());
    assertTrue(c.getBoolean("ok"));
    HttpResponse<String> health = send("GET", "/api/v1/health", null);
    assertEquals(200, health.statusCode(), health.body());
    waitForMetric("cairn_pitr_healthy", v -> v == 1.0);
    waitForMetric("cairn_pitr_restore_test_last_passed", v -> v == 1.0);
  }

  @Test
  @Order(5)
  void theClustersRestoreTestScheduleIsListedWithItsNextRunsAndItsLastTest() throws Exception {
    HttpResponse<String> r = get("/api/v1/schedules", VIEWER);
    assertEquals(200, r.statusCode(), r.body());
    JsonArray all = new JsonObject(r.body()).getJsonArray("schedules");
    assertEquals(1, all.size(), "no databases here, the cluster's restore test only: " + all.encode());
    JsonObject s = all.getJsonObject(0);
    assertEquals("pitr-test", s.getString("kind"), s.encode());
    assertEquals("main", s.getString("cluster"));
    assertTrue(s.containsKey("database") && s.getValue("database") == null, "a cluster is no database: " + s.encode());
    assertEquals(List.of("@yearly"), s.getJsonArray("cron").getList());
    assertNotNull(s.getString("timezone"));
    JsonArray next = s.getJsonArray("nextRuns");
    assertEquals(5, next.size(), s.encode());
    java.time.OffsetDateTime first = java.time.OffsetDateTime.parse(next.getString(0));
    assertTrue(first.toInstant().isAfter(Instant.now()) && first.atZoneSameInstant(java.time.ZoneId.of(
        s.getString("timezone"))).getDayOfYear() == 1, "next new year's day: " + first);
    assertEquals(cluster().getJsonObject("restore_test"), s.getJsonObject("lastRun"),
        "the last test (order 4's) as GET /api/v1/pitr gives it");
    assertEquals("succeeded", s.getString("lastResult"));
    assertTrue(s.containsKey("active") && s.getValue("active") == null, "none runs: " + s.encode());
  }

  @Test
  @Order(6)
  void theConsoleShowsTheClustersWindowLagAndRestoreTest() throws Exception {
    JsonObject c = cluster();
    WebDriver web = ConsoleBrowserIT.browser(Files.createDirectories(work.resolve("chromium-profile")));
    try {
      WebDriverWait wait = new WebDriverWait(web, Duration.ofSeconds(30));
      web.get("http://127.0.0.1:" + port + "/");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token"))).sendKeys(VIEWER);
      web.findElement(By.id("signin-button")).click();
      WebElement row = wait.until(ExpectedConditions.visibilityOfElementLocated(
          By.cssSelector("#panel-pitr tr[data-cluster='main']")));
      assertTrue(row.getText().contains("ok"), row.getText());
      assertEquals(c.getJsonObject("window").getString("from"), row.findElement(By.cssSelector(".window-from time"))
          .getDomAttribute("datetime"), "the window's start, as a time");
      assertNotNull(row.findElement(By.cssSelector(".window-to time")).getDomAttribute("datetime"));
      assertTrue(row.getText().contains("passed"), "the last restore test: " + row.getText());
      String nextTest = new JsonObject(get("/api/v1/schedules", VIEWER).body()).getJsonArray("schedules")
          .getJsonObject(0).getJsonArray("nextRuns").getString(0);
      assertEquals(nextTest, row.findElement(By.cssSelector(".next-test time")).getDomAttribute("datetime"),
          "the next scheduled test: " + row.getText());
      assertTrue(row.findElement(By.cssSelector(".lag")).getText().contains("of 5 min"), "lag of max_lag: "
          + row.getText());
    } finally {
      web.quit();
    }
  }

  @Test
  @Order(7)
  void pitrStatusWalGetAndRestoreReadTheRepositoryFromS3WithCredentialsFromTheEnvironmentOnly() throws Exception {
    try (S3Server s3 = S3Server.start(work.resolve("s3"))) {
      s3.bucket("pitr");
      System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
      System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
      S3Storage bucket = S3Storage.open(S3Server.location(s3.endpoint(), "pitr", "r/", S3Location.DEFAULT_PART_SIZE),
          S3Server.credentials(), S3Tuning.defaults(), Clock.systemUTC(), Map.of());
      copyPitr(store.storage(), bucket);
      Object[] repo = {"--repo", "s3://pitr/r/", "--s3-endpoint", s3.endpoint(), "--s3-path-style", "--s3-region",
          S3Server.REGION};
      CairnCli.Run status = CairnCli.run(concat(new Object[] {"pitr", "status", "--json", "--cluster", "main"}, repo));
      assertEquals(0, status.code(), status.toString());
      JsonObject local = PitrStatus.of(store, null, Instant.now()).toJson();
      JsonObject remote = new JsonObject(status.out()).getJsonArray("clusters").getJsonObject(0);
      assertEquals(local.getJsonObject("window"), remote.getJsonObject("window"));
      assertEquals(local.getJsonArray("gaps"), remote.getJsonArray("gaps"));
      CairnCli.Run text = CairnCli.run(concat(new Object[] {"pitr", "status"}, repo));
      assertTrue(text.out().startsWith("main: window ") && text.out().contains(", gaps none, last restore test passed "),
          text.toString());

      // the newest: a restore stages the WAL from its base backup on
      String segment = store.walFiles().stream().filter(f -> Segment.NAME.matcher(f).matches()).reduce((a, b) -> b)
          .orElseThrow();
      Path dest = work.resolve("fetched");
      CairnCli.Run get = CairnCli.run(concat(new Object[] {"wal-get", "--cluster", "main"}, repo, new Object[] {segment,
          dest}));
      assertEquals(0, get.code(), get.toString());
      assertArrayEquals(store.readWal(segment).orElseThrow(), Files.readAllBytes(dest));
      CairnCli.Run absent = CairnCli.run(concat(new Object[] {"wal-get", "--cluster", "main"}, repo,
          new Object[] {"00000009000000000000FFFF", work.resolve("none")}));
      assertEquals(1, absent.code(), "past the end of the WAL: " + absent);
      Path data = work.resolve("from-s3");
      CairnCli.Run restore = CairnCli.run(concat(new Object[] {"pitr", "restore", "--cluster", "main", "--to", "latest",
          "--data-dir", data}, repo));
      assertEquals(0, restore.code(), restore.toString());
      String conf = Files.readString(data.resolve("postgresql.auto.conf"));
      assertTrue(conf.contains("wal-get --repo " + data.resolve(PitrRestore.STAGED_WAL)), "the staged copy: " + conf);
      assertFalse(conf.contains("s3://") || conf.contains(S3Server.SECRET_KEY) || conf.contains(S3Server.ACCESS_KEY),
          "no bucket and no credential on the restore_command line: " + conf);
      assertTrue(Files.exists(data.resolve(PitrRestore.STAGED_WAL).resolve("pitr/main/wal/" + segment + ".lz4")));
      assertFalse((status + get.toString() + restore).contains(S3Server.SECRET_KEY), "the secret is never printed");
    }
  }

  @Test
  @Order(8)
  void aPitrRestoreTestWhoseSentinelNeverReachesTheRepositoryFailsNamingTheSegmentAndIsRecorded() throws Exception {
    agent.stop("test").await(30, TimeUnit.SECONDS); // nothing streams any more
    agent = null;
    // a stopped agent's pg_receivewal must be gone with it: else the sentinel below would still be streamed
    PitrIT.waitUntil(() -> pg.psql("postgres", "SELECT count(*) FROM pg_replication_slots WHERE slot_name ="
        + " 'cairn_agent_it' AND active").strip().equals("0"), 10, "the stopped agent's WAL stream has ended");
    CairnCli.Run r = CairnCli.run("pitr", "test", "--config", config, "--cluster", "main", "--timeout", "3s");
    assertEquals(9, r.code(), "CANCELLED: " + r + "; wal: " + store.walFiles() + "; lsn: "
        + pg.psql("postgres", "SELECT pg_current_wal_lsn(), pg_walfile_name(pg_current_wal_lsn())"));
    assertTrue(r.err().contains("the restore test of cluster main ran past its timeout of 3 s: the WAL segment ")
        && r.err().contains(" holding the sentinel row did not reach the repository"), r.toString());
    PitrTestResult last = PitrTestLog.last(store).orElseThrow();
    assertFalse(last.passed());
    assertEquals("CANCELLED", last.errorCode());
  }

  // ------------------------------------------------------------------------------------------ helpers

  /** Inserts marker row {@code id}, ends its segment, and returns its commit time. */
  static Instant row(int id) {
    String at = pg.psql("postgres", "INSERT INTO marks (id) VALUES (" + id + ") RETURNING to_char(at AT TIME ZONE 'UTC',"
        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'); SELECT pg_switch_wal();");
    return Instant.parse(at.lines().findFirst().orElseThrow().strip());
  }

  static Instant to(JsonObject cluster) {
    String t = cluster.getJsonObject("window").getString("to");
    return t == null ? null : Instant.parse(t);
  }

  static List<String> kinds(JsonObject cluster) {
    return cluster.getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("kind")).toList();
  }

  static JsonObject cluster() throws Exception {
    HttpResponse<String> r = get("/api/v1/pitr", VIEWER);
    assertEquals(200, r.statusCode(), r.body());
    JsonArray all = new JsonObject(r.body()).getJsonArray("clusters");
    assertEquals(1, all.size(), r.body());
    return all.getJsonObject(0);
  }

  static JsonObject waitForCluster(java.util.function.Predicate<JsonObject> cond, String what) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    JsonObject c = cluster();
    while (!cond.test(c)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + what + ": " + c.encodePrettily());
      }
      TimeUnit.MILLISECONDS.sleep(200);
      c = cluster();
    }
    return c;
  }

  static ProcessHandle waitForReceivewal() throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      var found = ProcessHandle.current().descendants().filter(p -> p.info().command().map(x -> x.endsWith("pg_receivewal"))
          .orElse(false)).findFirst();
      if (found.isPresent()) {
        return found.get();
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("no pg_receivewal runs under the agent");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  static Map<String, Double> metrics() throws Exception {
    HttpResponse<String> r = get("/metrics", null);
    assertEquals(200, r.statusCode(), r.body());
    Map<String, Double> out = new java.util.HashMap<>();
    Matcher m = METRIC.matcher(r.body());
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /** The metrics are read at most every few seconds: wait for the value rather than catch a stale scrape. */
  static void waitForMetric(String name, java.util.function.DoublePredicate cond) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Map<String, Double> m = metrics();
    while (m.get(name) == null || !cond.test(m.get(name))) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting for " + name + ": " + m);
      }
      TimeUnit.MILLISECONDS.sleep(200);
      m = metrics();
    }
  }

  static HttpResponse<String> get(String path, String token) throws Exception {
    return send("GET", path, token);
  }

  static HttpResponse<String> send(String method, String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(60)).method(method, HttpRequest.BodyPublishers.noBody());
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The cluster's PITR objects: its description, WAL, base backups and state (an empty cluster's: a few MB). */
  static void copyPitr(Storage from, Storage to) {
    Set<String> keys = new HashSet<>();
    for (String dir : List.of("pitr/", "pitr/main/", "pitr/main/wal/", "pitr/main/base/")) {
      from.list(dir).forEach(o -> keys.add(o.key()));
    }
    keys.forEach(k -> from.get(k).ifPresent(b -> to.put(k, b)));
  }

  static Object[] concat(Object[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray();
  }
}
