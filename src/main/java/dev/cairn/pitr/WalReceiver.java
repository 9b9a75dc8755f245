package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Streams a cluster's WAL into the repository: supervises {@code pg_receivewal --slot S --synchronous --no-loop}
 * writing into a local spool directory, publishes every finished segment and timeline history file (never the
 * {@code .partial} one being written) and removes it from the spool. When pg_receivewal exits (the server
 * restarted, the network dropped, it was killed) it is started again with exponential backoff and jitter; the
 * slot (created when missing) keeps the server's WAL meanwhile, and pg_receivewal resumes from the spool's
 * partial segment. Runs on a thread of its own: the stream lives as long as the agent.
 */
public final class WalReceiver implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("cairn.pitr");
  static final Duration POLL = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

  private final PitrStore store;
  private final ClusterConn conn;
  private final String slot;
  private final Path spool;
  private final Path pgBin;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread thread;
  /** pg_receivewal, started again after each exit; cancelled once, by close(). */
  private final ChildProcess child = new ChildProcess();
  private volatile Instant lastPublished;
  private volatile String lastSegment;
  private volatile String lastError;
  /** pg_receivewal starts after the first (the supervisor's thread writes, the agent's checks read). */
  private final java.util.concurrent.atomic.AtomicLong restarts = new java.util.concurrent.atomic.AtomicLong();

  public WalReceiver(PitrStore store, ClusterConn conn, String slot, Path spool, Path pgBin) {
    this.store = store;
    this.conn = conn;
    this.slot = slot;
    this.spool = spool;
    this.pgBin = pgBin;
    this.thread = new Thread(this::supervise, "cairn-wal-" + store.cluster());
    thread.setDaemon(true);
  }

  public WalReceiver start() {
    thread.start();
    return this;
  }

  /** The running pg_receivewal's pid, or -1. */
  public long pid() {
    return child.pid();
  }

  /** The newest segment published, or null. */
  public String lastSegment() {
    return lastSegment;
  }

  public Instant lastPublished() {
    return lastPublished;
  }

  /** How many times pg_receivewal was started again after it stopped. */
  public long restarts() {
    return restarts.get();
  }

  /** Why the stream last stopped, or null. */
  public String lastError() {
    return lastError;
  }

  private void supervise() {
    long backoff = 1000;
    for (boolean first = true; stop.getCount() > 0; first = false) {
      if (!first) {
        restarts.incrementAndGet();
      }
      long began = System.nanoTime();
      try {
        runOnce();
      } catch (CairnException | IOException e) {
        lastError = e.getMessage();
        LOG.warning("wal stream of cluster " + store.cluster() + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        lastError = String.valueOf(e);
        LOG.log(Level.WARNING, "wal stream of cluster " + store.cluster() + " failed", e);
      }
      if (System.nanoTime() - began > TimeUnit.SECONDS.toNanos(30)) {
        backoff = 1000; // it streamed for a while: a fresh failure starts the backoff over
      }
      long wait = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
      try {
        if (stop.await(wait, TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      backoff = Math.min(backoff * 2, MAX_BACKOFF.toMillis());
    }
  }

  private void runOnce() throws IOException, InterruptedException {
    ClusterInfo info = conn.facts(store.cluster());
    store.putInfo(info);
    PgTool tool = ClusterConn.tool("pg_receivewal", info, pgBin);
    createSpool();
    publishFinished(info.segmentSize());
    conn.ensureSlot(slot);
    List<String> cmd = List.of(tool.path().toString(), "-d", conn.conninfo(), "-D", spool.toString(), "--slot", slot,
        "--synchronous", "--no-loop");
    ChildProcess.Result r;
    // close() stops it (and any started after the stop): the loop ends when it exits
    try (ChildProcess.Started p = child.start(cmd, conn.childEnv(), ChildProcess.Stdout.MESSAGES, LOG::fine)) {
      LOG.info("wal stream of cluster " + store.cluster() + " started (pg_receivewal pid " + p.pid() + ", slot " + slot
          + ")");
      while (!p.waitFor(POLL)) {
        publishFinished(info.segmentSize());
      }
      r = p.finish();
    }
    publishFinished(info.segmentSize());
    if (stop.getCount() > 0) {
      String said = String.join("\n", r.output());
      throw new CairnException(ErrorCode.DB_CONNECT, "pg_receivewal exited with " + r.exitCode()
          + (said.isEmpty() ? "" : ": " + said) + "; restarting");
    }
  }

  private void createSpool() throws IOException {
    if (!Files.isDirectory(spool)) {
      Files.createDirectories(spool, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** Publishes the finished files in the spool, oldest first, then deletes them there. */
  void publishFinished(long segmentSize) throws IOException {
    List<Path> done;
    try (Stream<Path> s = Files.list(spool)) {
      done = s.filter(f -> {
        String n = f.getFileName().toString();
        return Segment.NAME.matcher(n).matches() || Segment.HISTORY.matcher(n).matches();
      }).sorted().toList();
    }
    for (Path f : done) {
      String name = f.getFileName().toString();
      byte[] raw = Files.readAllBytes(f);
      if (Segment.NAME.matcher(name).matches() && raw.length != segmentSize) {
        continue; // not complete: pg_receivewal renames a segment only once it is whole
      }
      store.publishWal(name, raw);
      Files.delete(f);
      if (Segment.NAME.matcher(name).matches()) {
        lastSegment = name;
        lastPublished = Instant.now();
      }
    }
  }

  /** Stops the stream and publishes what is finished; the partial segment stays in the spool for next time. */
  @Override
  public void close() {
    stop.countDown();
    child.cancel();
    try {
      thread.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
