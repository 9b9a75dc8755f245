package dev.cairn.pitr;

import dev.cairn.config.ClusterConfig;
import dev.cairn.error.CairnException;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The agent's look at one cluster every few seconds: how long the server has had WAL the repository lacks (the
 * lag, and so the RPO), and the recovery window ({@link PitrStatus}, which runs pg_waldump: computed again only
 * when a segment was published, a base backup finished, or {@link #WINDOW_REFRESH} passed), recorded in
 * {@code state.json}, which is what the API, health and metrics read (never pg_waldump per request). Past half of max_lag it asks the
 * server to finish its segment ({@code pg_switch_wal()}, what archive_timeout does for archive_command), so a
 * quiet server's last transactions reach the repository too. It warns when the slot holds much WAL on the server
 * (a stalled stream fills the server's disk unless max_slot_wal_keep_size bounds it). One check at a time, from
 * a worker; blocking.
 */
final class LagMonitor {
  private static final Logger LOG = Logger.getLogger("cairn.pitr");
  static final long RETAINED_WARN_BYTES = 1L << 30;
  /** The window is computed again at least this often, so a change made outside the agent shows. */
  static final Duration WINDOW_REFRESH = Duration.ofMinutes(5);

  private final ClusterConfig config;
  private final PitrStore store;
  private final ClusterConn conn;
  private final WalReceiver receiver;
  private final Path pgBin;
  /** Far more than max_lag needs at one check every 5 s, so the oldest one still shows a stalled stream. */
  static final int MAX_SAMPLES = 100_000;

  private record Sample(Instant at, Lsn lsn) {}

  private final java.util.ArrayDeque<Sample> samples = new java.util.ArrayDeque<>();
  private long warnedRetained;
  private boolean switchRefused;
  private JsonObject window;
  private Instant windowAt;
  private String windowSegment;

  LagMonitor(ClusterConfig config, PitrStore store, ClusterConn conn, WalReceiver receiver, Path pgBin) {
    this.config = config;
    this.store = store;
    this.conn = conn;
    this.receiver = receiver;
    this.pgBin = pgBin;
  }

  /** {@code changed}: a base backup or a restore test ended since the last check (the window is computed again). */
  JsonObject check(Instant now, boolean changed) {
    Optional<ClusterInfo> known = store.info();
    if (known.isEmpty()) {
      // the stream has not reached the server yet (it records the cluster first): nothing to measure, no window
      return new JsonObject().put("checked", now.toString()).put("max_lag_seconds", (double) config.maxLag().toSeconds())
          .put("receiver_restarts", receiver.restarts()).put("receiver_error", receiver.lastError());
    }
    ClusterInfo info = known.get();
    List<String> r = conn.row("SELECT pg_current_wal_lsn()::text, (SELECT pg_wal_lsn_diff(pg_current_wal_lsn(),"
        + " restart_lsn)::bigint FROM pg_replication_slots WHERE slot_name = '" + config.slot() + "')::text");
    Lsn server = Lsn.parse(r.get(0));
    long retained = r.get(1) == null ? 0 : Long.parseLong(r.get(1));
    Lsn published = publishedEnd(info);
    // the lag is the age of the oldest WAL the repository lacks: when the server was first seen past what is
    // published (sampled at each check; under load the published end moves on every segment)
    samples.addLast(new Sample(now, server));
    while (!samples.isEmpty() && published != null && samples.peekFirst().lsn().compareTo(published) <= 0) {
      samples.removeFirst();
    }
    Instant behindSince = samples.isEmpty() ? null : samples.peekFirst().at();
    if (samples.size() > MAX_SAMPLES) {
      samples.removeFirst();
    }
    double lag = behindSince == null ? 0 : Duration.between(behindSince, now).toMillis() / 1000.0;
    if (lag * 2 > config.maxLag().toSeconds() && !switchRefused) {
      try {
        conn.row("SELECT pg_switch_wal()::text");
      } catch (CairnException e) {
        switchRefused = true;
        LOG.warning("cluster " + config.name() + ": cannot end the WAL segment early (" + e.getMessage() + "); the lag"
            + " of a quiet server then grows until its segment fills; hint: GRANT EXECUTE ON FUNCTION pg_switch_wal()"
            + " TO the url's role");
      }
    }
    if (retained > RETAINED_WARN_BYTES && retained > warnedRetained * 2) {
      warnedRetained = retained;
      LOG.warning("replication slot " + config.slot() + " on cluster " + config.name() + " retains " + (retained >> 20)
          + " MiB of WAL on the server (the stream is behind: " + receiver.lastError() + "); hint: set"
          + " max_slot_wal_keep_size on the server so a stopped agent cannot fill its disk");
    }
    String segment = receiver.lastSegment();
    if (changed || windowAt == null || !Objects.equals(segment, windowSegment)
        || Duration.between(windowAt, now).compareTo(WINDOW_REFRESH) >= 0) {
      try {
        window = window(now);
        windowAt = now;
        windowSegment = segment;
      } catch (CairnException e) {
        // the lag is still worth recording; the window is tried again at the next check
        LOG.warning("cluster " + config.name() + ": cannot compute the recovery window: " + e.getMessage());
        window = (window == null ? new JsonObject() : window).put("window_error", e.getMessage());
        windowAt = null;
      }
    }
    JsonObject state = window.copy().put("checked", now.toString()).put("lag_seconds", lag)
        .put("max_lag_seconds", (double) config.maxLag().toSeconds()).put("server_lsn", server.toString())
        .put("published_to", published == null ? null : published.toString()).put("slot_retained_bytes", retained)
        .put("receiver_restarts", receiver.restarts());
    store.putState(state);
    return state;
  }

  /** The window, the newest base backup and the last restore test, as of now. */
  private JsonObject window(Instant now) {
    PitrStatus st = PitrStatus.of(store, pgBin, now);
    List<BaseInfo> bases = store.bases();
    BaseInfo newest = bases.isEmpty() ? null : bases.get(bases.size() - 1);
    ClusterConfig.RestoreTest test = config.restoreTest();
    return new JsonObject().put("window_checked", now.toString()).put("window_error", null)
        .put("window", st.toJson().getJsonObject("window")).put("gaps", st.toJson().getJsonArray("gaps"))
        .put("timelines", st.toJson().getJsonArray("timelines")).put("base_backups", st.baseBackups())
        .put("last_base_backup", newest == null ? null : new JsonObject().put("id", newest.id())
            .put("finished", newest.finished().toString()).put("stored_bytes", newest.storedBytes()))
        .put("restore_test", PitrTestLog.last(store).map(PitrTestResult::toJson).orElse(null))
        .put("max_test_age_seconds", test == null || test.maxTestAge() == null ? null : test.maxTestAge().toSeconds());
  }

  private Lsn publishedEnd(ClusterInfo info) {
    String last = receiver.lastSegment();
    Optional<Segment> s = last != null ? Segment.parse(last, info.segmentSize())
        : store.walFiles().stream().map(f -> Segment.parse(f, info.segmentSize())).flatMap(Optional::stream)
            .max(java.util.Comparator.comparingLong(Segment::number));
    return s.map(x -> x.end(info.segmentSize())).orElse(null);
  }
}
