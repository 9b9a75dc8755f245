package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The restore test of point-in-time recovery: writes a sentinel row on the live server (table
 * {@link #TABLE} in the url's database), ends its WAL segment, waits until that segment is in the repository,
 * restores the cluster to {@code latest} into a throwaway {@link TempCluster}, and passes when the restored
 * cluster has the row: the WAL written just before the test is recoverable. Rows older than a day are deleted
 * as the next one is written. The whole test is bounded by its timeout, and {@link #cancel} stops it from another
 * thread: either way its throwaway server is stopped and removed, and the result is a failed one. Blocking; never
 * throws (a failure is a failed result).
 */
public final class PitrTest {
  private static final Logger LOG = Logger.getLogger("cairn.pitr");
  public static final String TABLE = "public.cairn_pitr_sentinel";
  static final Duration POLL = Duration.ofMillis(250);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Marks a run that ended by itself: a cancel after it changes nothing. */
  private static final Stop FINISHED = new Stop(null, null);

  private final PitrStore store;
  private final ClusterConn conn;
  private final List<String> walGet;
  private final Path pgBin;
  private final Clock clock;
  // guarded by this: the run's thread and why it was stopped (null while it runs on, FINISHED once it ended)
  private Thread runner;
  private Stop stop;
  // read by the thread that stops the run
  private volatile TempCluster server;
  private volatile Phase phase;

  /** Why a run was stopped before its end, as its result says it. */
  private record Stop(String message, String hint) {}

  /** What a run is doing, for the message of a timeout. */
  private record Phase(String unfinished, String hint) {}

  public PitrTest(PitrStore store, ClusterConn conn, List<String> walGet, Path pgBin, Clock clock) {
    this.store = store;
    this.conn = conn;
    this.walGet = walGet;
    this.pgBin = pgBin;
    this.clock = clock;
  }

  /**
   * Stops a running test from another thread: its throwaway server is stopped at once (its directory is removed
   * as the run unwinds) and the run ends with a {@code CANCELLED} result of this message, never a passed one.
   * Blocking (pg_ctl stop); nothing when the run had already ended or was stopped.
   */
  public void cancel(String message, String hint) {
    stop(new Stop(message, hint));
  }

  /** The throwaway cluster's directory while there is one, for an operator told that a stop did not finish. */
  public Path serverDir() {
    TempCluster c = server;
    return c == null ? null : c.dir();
  }

  /** The whole test (sentinel, restore, check) within {@code timeout}: past it, stopped and failed. Once per instance. */
  public PitrTestResult run(Duration timeout) {
    Instant started = clock.instant();
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    String sentinel = "t" + HexFormat.of().formatHex(id);
    synchronized (this) {
      runner = Thread.currentThread();
      if (stop != null) { // cancelled before it began (queued behind other work)
        return settle(new PitrTestResult(store.cluster(), null, sentinel, false, started, clock.instant(), 0,
            ErrorCode.CANCELLED.name(), stop.message(), stop.hint()));
      }
    }
    phase = new Phase("the sentinel row was not written on the server", "the server is slow to answer, or a lock"
        + " holds " + TABLE);
    ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-pitr-timeout-" + store.cluster());
      t.setDaemon(true);
      return t;
    });
    watchdog.schedule(() -> stop(new Stop("the restore test of cluster " + store.cluster() + " ran past its timeout of "
        + text(timeout) + ": " + phase.unfinished(), phase.hint())), timeout.toNanos(), TimeUnit.NANOSECONDS);
    try {
      return settle(attempt(sentinel, started));
    } finally {
      watchdog.shutdownNow();
    }
  }

  private PitrTestResult attempt(String sentinel, Instant started) {
    String base = null;
    long restoreMs = 0;
    try {
      ClusterInfo info = store.requireInfo();
      Segment seg = write(sentinel, info);
      phase = new Phase("the WAL segment " + seg.name(info.segmentSize()) + " holding the sentinel row did not reach"
          + " the repository", "the WAL stream is behind or stopped: look at the agent's log and the lag in cairn pitr"
          + " status");
      awaitPublished(seg, info);
      base = new PitrRestore(store).choose(Target.latest(), Window.of(store, info)).id();
      phase = new Phase("the restore to latest from base backup " + base + " did not end (its server was stopped and"
          + " its directory removed)", "raise restore_test.timeout (cairn pitr test --timeout): restoring this cluster"
          + " takes longer");
      long t0 = System.nanoTime();
      boolean found;
      try (TempCluster c = TempCluster.start(store, Target.latest(), walGet, pgBin, this::started)) {
        restoreMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        phase = new Phase("the sentinel row was not read from the restored cluster in time", null);
        List<String> r = new ClusterConn(c.conninfo(database(), c.superuser())).row("SELECT count(*)::text FROM "
            + TABLE + " WHERE id = '" + sentinel + "'");
        found = "1".equals(r.get(0));
      } finally {
        server = null;
      }
      if (!found) {
        throw new CairnException(ErrorCode.RESTORE_MISMATCH, "the sentinel row " + sentinel + " written at " + started
            + " is missing from cluster " + store.cluster() + " restored to latest from base backup " + base,
            "the WAL in the repository does not reach the server's last commits: look at cairn pitr status and the"
                + " agent's log (wal stream)");
      }
      return new PitrTestResult(store.cluster(), base, sentinel, true, started, clock.instant(), restoreMs, null, null,
          null);
    } catch (CairnException e) {
      return new PitrTestResult(store.cluster(), base, sentinel, false, started, clock.instant(), restoreMs,
          e.code().name(), e.getMessage(), e.hint());
    } catch (RuntimeException e) {
      return new PitrTestResult(store.cluster(), base, sentinel, false, started, clock.instant(), restoreMs,
          ErrorCode.INTERNAL.name(), String.valueOf(e), null);
    }
  }

  /** The throwaway cluster exists: a stop that came before it ends its start here, before any server runs. */
  private void started(TempCluster c) {
    server = c;
    synchronized (this) {
      if (stop != null) {
        throw new CairnException(ErrorCode.CANCELLED, stop.message());
      }
    }
  }

  private void stop(Stop why) {
    synchronized (this) {
      if (stop != null) {
        return;
      }
      stop = why;
      if (runner != null) {
        runner.interrupt(); // ends a wait for a process (tar, pg_ctl) or for the sentinel's segment
      }
    }
    TempCluster c = server;
    if (c != null) {
      c.kill();
    }
  }

  /** The run's own result, unless it was stopped first: then a cancelled one. The thread leaves uninterrupted. */
  private PitrTestResult settle(PitrTestResult r) {
    Stop why;
    synchronized (this) {
      runner = null;
      Thread.interrupted(); // a stop's interrupt must not reach the pool's next task (recording this result)
      if (stop == null) {
        stop = FINISHED;
      }
      why = stop;
    }
    if (why != FINISHED) {
      r = new PitrTestResult(r.cluster(), r.baseBackup(), r.sentinel(), false, r.started(), clock.instant(),
          r.restoreMs(), ErrorCode.CANCELLED.name(), why.message(), why.hint());
    }
    if (r.passed()) {
      LOG.info("restore test of cluster " + store.cluster() + " passed: sentinel " + r.sentinel() + " found after a"
          + " restore to latest from " + r.baseBackup() + " (" + r.restoreMs() + " ms)");
    } else {
      LOG.warning("restore test of cluster " + store.cluster() + " failed: " + r.message());
    }
    return r;
  }

  /** Inserts the sentinel, ends its segment, and returns the segment that holds its commit. */
  private Segment write(String sentinel, ClusterInfo info) {
    conn.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (id text PRIMARY KEY, written timestamptz NOT NULL DEFAULT"
        + " clock_timestamp())");
    conn.row("WITH gone AS (DELETE FROM " + TABLE + " WHERE written < clock_timestamp() - interval '1 day')"
        + " INSERT INTO " + TABLE + " (id) VALUES ('" + sentinel + "') RETURNING id");
    // the insert location, not pg_current_wal_lsn() (the write location): with synchronous_commit = off the
    // commit may not be written yet, and the write location still at the start of its segment names the one
    // before, already in the repository: the test then restored without waiting for the sentinel
    List<String> r = conn.row("SELECT pg_current_wal_insert_lsn()::text,"
        + " (SELECT timeline_id FROM pg_control_checkpoint())::text");
    // the byte before the insert location: a commit that ends exactly on a segment boundary is in the one before
    Segment seg = Segment.of(Integer.parseInt(r.get(1)), new Lsn(Lsn.parse(r.get(0)).value() - 1), info.segmentSize());
    try {
      conn.row("SELECT pg_switch_wal()::text");
    } catch (CairnException e) {
      LOG.fine(() -> "pg_switch_wal refused (" + e.getMessage() + "): the test waits for the segment to fill");
    }
    return seg;
  }

  /** The segment's own timeline or a newer one (the server may have been promoted meanwhile); until stopped. */
  private void awaitPublished(Segment seg, ClusterInfo info) {
    while (true) {
      boolean there = store.walFiles().stream().map(f -> Segment.parse(f, info.segmentSize()))
          .flatMap(java.util.Optional::stream).anyMatch(s -> s.number() == seg.number() && s.timeline() >= seg.timeline());
      if (there) {
        return;
      }
      synchronized (this) {
        if (stop != null) { // its interrupt may have been spent on a repository read
          throw new CairnException(ErrorCode.CANCELLED, stop.message());
        }
      }
      try { // a bounded poll of the repository on a cairn-pitr worker: nothing announces a published segment
        TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CairnException(ErrorCode.CANCELLED, "the restore test of cluster " + store.cluster() + " was interrupted");
      }
    }
  }

  /** "3 s", or "500 ms" below a second. */
  private static String text(Duration d) {
    return d.toMillis() < 1000 ? d.toMillis() + " ms" : d.toSeconds() + " s";
  }

  /** The database the sentinel lives in: the url's (postgres unless it names one). */
  private String database() {
    String db = conn.spec().database();
    return db == null || db.isEmpty() ? "postgres" : db;
  }
}
