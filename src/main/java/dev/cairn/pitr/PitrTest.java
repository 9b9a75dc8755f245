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
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The restore test of point-in-time recovery: writes a sentinel row on the live server (table
 * {@link #TABLE} in the url's database), ends its WAL segment, waits until that segment is in the repository,
 * restores the cluster to {@code latest} into a throwaway {@link TempCluster}, and passes when the restored
 * cluster has the row: the WAL written just before the test is recoverable. Rows older than a day are deleted
 * as the next one is written. Blocking; never throws (a failure is a failed result).
 */
public final class PitrTest {
  private static final Logger LOG = Logger.getLogger("cairn.pitr");
  public static final String TABLE = "public.cairn_pitr_sentinel";
  static final Duration POLL = Duration.ofMillis(250);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PitrStore store;
  private final ClusterConn conn;
  private final List<String> walGet;
  private final Path pgBin;
  private final Clock clock;

  public PitrTest(PitrStore store, ClusterConn conn, List<String> walGet, Path pgBin, Clock clock) {
    this.store = store;
    this.conn = conn;
    this.walGet = walGet;
    this.pgBin = pgBin;
    this.clock = clock;
  }

  public PitrTestResult run(Duration timeout) {
    Instant started = clock.instant();
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] id = new byte[8];
    RANDOM.nextBytes(id);
    String sentinel = "t" + HexFormat.of().formatHex(id);
    String base = null;
    long restoreMs = 0;
    try {
      ClusterInfo info = store.requireInfo();
      Segment seg = write(sentinel, info);
      awaitPublished(seg, info, deadline, timeout);
      base = new PitrRestore(store).choose(Target.latest(), Window.of(store, info)).id();
      long t0 = System.nanoTime();
      boolean found;
      try (TempCluster c = TempCluster.start(store, Target.latest(), walGet, pgBin)) {
        restoreMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        List<String> r = new ClusterConn(c.conninfo(database(), c.superuser())).row("SELECT count(*)::text FROM "
            + TABLE + " WHERE id = '" + sentinel + "'");
        found = "1".equals(r.get(0));
      }
      if (System.nanoTime() > deadline) {
        throw new CairnException(ErrorCode.CANCELLED, "the restore test of cluster " + store.cluster()
            + " ran past its timeout of " + timeout.toSeconds() + " s");
      }
      if (!found) {
        throw new CairnException(ErrorCode.RESTORE_MISMATCH, "the sentinel row " + sentinel + " written at " + started
            + " is missing from cluster " + store.cluster() + " restored to latest from base backup " + base,
            "the WAL in the repository does not reach the server's last commits: look at cairn pitr status and the"
                + " agent's log (wal stream)");
      }
      LOG.info("restore test of cluster " + store.cluster() + " passed: sentinel " + sentinel + " found after a"
          + " restore to latest from " + base + " (" + restoreMs + " ms)");
      return new PitrTestResult(store.cluster(), base, sentinel, true, started, clock.instant(), restoreMs, null, null,
          null);
    } catch (CairnException e) {
      LOG.warning("restore test of cluster " + store.cluster() + " failed: " + e.getMessage());
      return new PitrTestResult(store.cluster(), base, sentinel, false, started, clock.instant(), restoreMs,
          e.code().name(), e.getMessage(), e.hint());
    } catch (RuntimeException e) {
      LOG.warning("restore test of cluster " + store.cluster() + " failed: " + e);
      return new PitrTestResult(store.cluster(), base, sentinel, false, started, clock.instant(), restoreMs,
          ErrorCode.INTERNAL.name(), String.valueOf(e), null);
    }
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

  /** The segment's own timeline or a newer one (the server may have been promoted meanwhile). */
  private void awaitPublished(Segment seg, ClusterInfo info, long deadline, Duration timeout) {
    while (true) {
      boolean there = store.walFiles().stream().map(f -> Segment.parse(f, info.segmentSize()))
          .flatMap(java.util.Optional::stream).anyMatch(s -> s.number() == seg.number() && s.timeline() >= seg.timeline());
      if (there) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new CairnException(ErrorCode.CANCELLED, "the WAL segment " + seg.name(info.segmentSize()) + " holding the"
            + " sentinel row did not reach the repository within " + timeout.toSeconds() + " s", "the WAL stream is behind or stopped:"
            + " look at the agent's log and the lag in cairn pitr status");
      }
      try { // a bounded poll of the repository on a cairn-pitr worker: nothing announces a published segment
        TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CairnException(ErrorCode.CANCELLED, "the restore test of cluster " + store.cluster() + " was interrupted");
      }
    }
  }

  /** The database the sentinel lives in: the url's (postgres unless it names one). */
  private String database() {
    String db = conn.spec().database();
    return db == null || db.isEmpty() ? "postgres" : db;
  }
}
