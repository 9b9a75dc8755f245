package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.storage.LocalStorage;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Point-in-time recovery against a real server and its real WAL: pg_receivewal streaming into a repository, a
 * base backup, marker rows committed at known moments with pg_switch_wal between, and restores to each moment.
 * The steps build on each other (one cluster for the class), so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PitrIT {
  static final String CLUSTER = "main";
  static PgCluster pg;
  static Path work;
  static Path repo;
  static PitrStore store;
  static WalReceiver receiver;
  static WalReceiver promotedReceiver;
  static List<String> walGet;
  static final List<Path> started = new ArrayList<>();
  static Instant afterRow1;
  static Instant afterRow2;
  static Path promoted;
  static int promotedPort;

  @BeforeAll
  static void streamAndBackUp() throws Exception {
    pg = PgCluster.startNew();
    work = Files.createTempDirectory(Path.of("/tmp"), "cairn-pitr-it-");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    repo = work.resolve("repo");
    store = new PitrStore(LocalStorage.openForWrite(repo), CLUSTER);
    walGet = walGetCommand(work.resolve("cp"));
    System.setProperty("cairn.classpath", walGet.get(walGet.indexOf("-cp") + 1));
    pg.psql("postgres", "CREATE TABLE marks (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())");
    receiver = new WalReceiver(store, conn(pg.port()), "cairn_it", work.resolve("spool"), null).start();
    BaseInfo b = new BaseBackup(store, conn(pg.port()), "cairn_it", null, Clock.systemUTC()).run();
    assertTrue(b.stop().compareTo(b.start()) > 0, "the base backup records its WAL range");
    assertTrue(b.label().contains("START WAL LOCATION"), "the base backup records its backup_label");
    afterRow1 = mark(1);
    afterRow2 = mark(2);
    row(3);
    Marks.create(store, conn(pg.port()), "before_row4");
    row(4);
    waitForWalOf(pg.port(), store);
  }

  @AfterAll
  static void stop() {
    for (WalReceiver r : new WalReceiver[] {promotedReceiver, receiver}) {
      if (r != null) {
        r.close();
      }
    }
    for (Path d : started) {
      pgCtl(d, "stop", "-m", "immediate");
    }
    if (pg != null) {
      pg.close();
    }
    if (work != null) {
      PitrRestore.deleteTree(work);
    }
  }

  @Test
  @Order(1)
  void aRestoreToAMomentHasTheRowsCommittedBeforeItAndNoneAfter() throws Exception {
    assertEquals(List.of(1), rowsAt(Target.time(afterRow1)));
    assertEquals(List.of(1, 2), rowsAt(Target.time(afterRow2)));
  }

  @Test
  @Order(2)
  void aRestoreToANamedRestorePointStopsThere() throws Exception {
    assertEquals(List.of(1, 2, 3), rowsAt(Target.parse("before_row4")));
  }

  @Test
  @Order(3)
  void restoreAtBringsBackADroppedTableWithItsRowsAsOfThenAndChangesNothingElse() throws Exception {
    String db = pg.newDatabase("app");
    pg.psql(db, "CREATE TABLE ledger (id int PRIMARY KEY, v text); INSERT INTO ledger VALUES (1, 'a'), (2, 'b');"
        + " CREATE TABLE other (id int); INSERT INTO other VALUES (1);");
    pg.psql("postgres", "SELECT pg_switch_wal()");
    Instant before = Instant.parse(pg.psql("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
    pg.psql(db, "INSERT INTO ledger VALUES (3, 'after'); DROP TABLE ledger; INSERT INTO other VALUES (2);");
    pg.psql("postgres", "SELECT pg_switch_wal()");
    waitForWalOf(pg.port(), store);
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    Path tmp = Files.createDirectories(work.resolve("tmp-at"));
    String savedTmp = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    int exit;
    try {
      exit = dev.cairn.cli.Main.run(new String[] {"restore", "--repo", repo.toString(), "--at", before.toString(),
          "--cluster", CLUSTER, "--database", db, "--table", "public.ledger", "--db", pg.conninfo(db) + "?sslmode=disable"},
          new java.io.PrintWriter(out), new java.io.PrintWriter(err));
    } finally {
      System.setProperty("java.io.tmpdir", savedTmp);
    }
    assertEquals(0, exit, err.toString());
    try (java.util.stream.Stream<Path> left = Files.list(tmp)) { // lz4-java's library goes when the JVM exits
      assertEquals(List.of(), left.filter(f -> !f.getFileName().toString().startsWith("liblz4-java-")).toList(),
          "the temporary cluster and the scratch repository are removed");
    }
    assertEquals("1|a\n2|b", pg.psql(db, "SELECT id, v FROM ledger ORDER BY id"));
    assertEquals("1\n2", pg.psql(db, "SELECT id FROM other ORDER BY id"), "the rest of the target is untouched");
  }

  @Test
  @Order(4)
  void afterTheReceiverIsKilledAndTheServerRestartedTheWindowHasNoGapAndLatestHasEveryRow() throws Exception {
    long pid = receiver.pid();
    assertTrue(pid > 0, "pg_receivewal runs");
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    row(5);
    pg.restart();
    row(6);
    waitForWalOf(pg.port(), store);
    PitrStatus st = PitrStatus.of(store, null, Instant.now());
    assertEquals(List.of(), st.gaps());
    assertNotNull(st.from());
    assertTrue(!st.to().isBefore(afterRow2), "the window reaches past the last marker row: " + st.to());
    JsonObject json = st.toJson();
    assertEquals(List.of("name", "window", "lag_seconds", "gaps", "timelines"), List.copyOf(json.fieldNames()));
    promotedPort = freePort();
    promoted = restore(Target.latest(), promotedPort);
    assertEquals(List.of(1, 2, 3, 4, 5, 6), rows(promotedPort));
  }

  @Test
  @Order(5)
  void aPromotionArchivesTimeline2AndALaterRestoreFollowsIt() throws Exception {
    promotedReceiver = new WalReceiver(store, conn(promotedPort), "cairn_it", work.resolve("spool2"), null).start();
    waitUntil(() -> slotActive(promotedPort), 60, "the promoted server streams to cairn");
    sql(promotedPort, "INSERT INTO marks (id) VALUES (7)");
    row(100); // on timeline 1, after the branch: a restore along timeline 2 must not see it
    waitForWalOf(promotedPort, store);
    waitForWalOf(pg.port(), store);
    // pg_receivewal writes the history file when it follows the new timeline; it is published on its own
    waitUntil(() -> store.walFiles().contains("00000002.history"), 60, "the history file is archived");
    assertTrue(PitrStatus.of(store, null, Instant.now()).timelines().contains(2));
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), rowsAt(Target.latest()));
  }

  @Test
  @Order(6)
  void aMissingSegmentIsReportedAsAGapAndARestorePastItFailsNamingIt() throws Exception {
    ClusterInfo info = store.requireInfo();
    BaseInfo base = store.bases().get(0);
    String missing = Segment.of(1, base.stop(), info.segmentSize()).next().name(info.segmentSize());
    assertTrue(store.deleteWal(missing));
    assertTrue(PitrStatus.of(store, null, Instant.now()).gaps().contains(missing), "status names the gap " + missing);
    CairnException latest = assertThrows(CairnException.class, () -> restore(Target.latest(), freePort()));
    assertTrue(latest.getMessage().contains(missing), latest.getMessage());
    CairnException timed = assertThrows(CairnException.class, () -> restore(Target.time(afterRow2), freePort()));
    assertTrue(timed.getMessage().contains("cairn wal-get: WAL segment " + missing), timed.getMessage());
  }

  // ------------------------------------------------------------------------------------------ helpers

  static ClusterConn conn(int port) {
    return new ClusterConn("postgresql://postgres@127.0.0.1:" + port + "/postgres?replication=true&sslmode=disable");
  }

  /** Inserts marker row {@code id}, ends its WAL segment, and returns a moment after its commit. */
  static Instant mark(int id) {
    row(id);
    return Instant.parse(pg.psql("postgres", "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
  }

  static void row(int id) {
    pg.psql("postgres", "INSERT INTO marks (id) VALUES (" + id + "); SELECT pg_switch_wal();");
  }

  /** Waits until the segments before the one the server writes are all in the repository (of its timeline or the parent's). */
  static void waitForWalOf(int port, PitrStore s) throws Exception {
    String[] now = sqlValue(port, "SELECT pg_current_wal_lsn()::text || ' ' || (SELECT timeline_id FROM"
        + " pg_control_checkpoint())").split(" ");
    long size = s.requireInfo().segmentSize();
    long before = Long.divideUnsigned(Lsn.parse(now[0]).value(), size) - 1;
    int tli = Integer.parseInt(now[1]);
    String mine = new Segment(tli, before).name(size);
    String parents = new Segment(Math.max(1, tli - 1), before).name(size);
    waitUntil(() -> s.walFiles().contains(mine) || s.walFiles().contains(parents), 60, "segment " + mine + " is published");
  }

  List<Integer> rowsAt(Target t) throws Exception {
    int port = freePort();
    Path dir = restore(t, port);
    try {
      return rows(port);
    } finally {
      pgCtl(dir, "stop", "-m", "fast");
      started.remove(dir);
    }
  }

  static Path restore(Target t, int port) {
    Path dir = work.resolve("restore-" + port);
    PitrRestore.Result r = new PitrRestore(store).run(new PitrRestore.Options(t, dir, true, port, walGet, null));
    started.add(dir);
    assertFalse(Files.exists(dir.resolve(PitrRestore.STAGED_WAL)), "the copied WAL is removed after recovery");
    assertFalse(Files.exists(dir.resolve(WalStage.DIR)), "the staged WAL is removed after recovery");
    if (t.kind() == Target.Kind.TIME) {
      assertTrue(!r.recovery().reached().isAfter(t.time()), "reached " + r.recovery().reached() + " <= " + t.time());
    }
    return dir;
  }

  static List<Integer> rows(int port) throws SQLException {
    List<Integer> ids = new ArrayList<>();
    try (Connection c = jdbc(port); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT id FROM marks WHERE id < 100 ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getInt(1));
      }
    }
    return ids;
  }

  static void sql(int port, String sql) throws SQLException {
    try (Connection c = jdbc(port); Statement st = c.createStatement()) {
      st.execute(sql);
      st.execute("SELECT pg_switch_wal()");
    }
  }

  static String sqlValue(int port, String sql) throws SQLException {
    try (Connection c = jdbc(port); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  static boolean slotActive(int port) {
    try {
      return "true".equals(sqlValue(port, "SELECT bool_or(active)::text FROM pg_replication_slots"));
    } catch (SQLException e) {
      return false;
    }
  }

  static Connection jdbc(int port) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&sslmode=disable");
  }

  static void pgCtl(Path dataDir, String... args) {
    List<String> cmd = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", pg.binDir().resolve("pg_ctl").toString(),
        "-D", dataDir.toString(), "-w"));
    cmd.addAll(List.of(args));
    try {
      new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
          .waitFor(60, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The server runs as postgres, which cannot read root's ~/.m2: wal-get runs from a readable copy of the class path. */
  static List<String> walGetCommand(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> cp = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path p = Path.of(e);
      if (Files.isRegularFile(p) && p.startsWith("/root")) {
        Path copy = dir.resolve(cp.size() + "-" + p.getFileName());
        Files.copy(p, copy);
        cp.add(copy.toString());
      } else {
        cp.add(e);
      }
    }
    return List.of(ProcessHandle.current().info().command().orElse("java"), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto",
        "-cp", String.join(java.io.File.pathSeparator, cp), "dev.cairn.cli.Main");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void waitUntil(BooleanSupplier cond, int seconds, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }
}
