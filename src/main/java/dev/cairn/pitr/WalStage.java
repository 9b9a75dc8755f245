package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The WAL of a started recovery without a JVM per file: while the restore lays down the base backup and while
 * the server replays, the segments recovery will ask for (from the base backup's start along the lineage, up to
 * the first one the repository lacks) are read, checked (CRC32C) and decompressed in parallel into
 * {@code DATA/cairn_stage/}, at most about 1 GiB ahead of the replay, beside every history file. restore_command
 * is a shell script there that moves a staged segment into place (copies a history file), answers "not there" for
 * the end of the WAL and for a timeline's history the repository did not have when the restore began, and hands
 * everything else to {@code cairn wal-get}: a file that failed its check (wal-get says why, exit 126), a segment
 * after a hole (wal-get tells the hole from the end), one asked for twice, or one the stage never reached.
 * A planned segment not yet staged is waited for while this process runs, so recovery never takes it for the end.
 */
final class WalStage implements AutoCloseable {
  static final String DIR = "cairn_stage";
  static final String SCRIPT = "restore_command.sh";
  static final String PLAN = "planned";
  /** Beside a planned segment that will not be staged (it failed its check, or the replay went past it). */
  static final String ASK = ".wal-get";
  /** Left by the script beside a segment it moved: asked again, the segment comes from wal-get. */
  static final String TAKEN = ".taken";
  /** Left by the script while it waits for a segment: the staged ones before it will not be asked for. */
  static final String WANTED = ".wanted";
  private static final Logger LOG = Logger.getLogger("cairn");
  private static final long AHEAD_BYTES = 1L << 30;

  private final PitrStore store;
  private final Path dir;
  private final List<String> plan;
  private final Map<String, Integer> order = new HashMap<>();
  private final UserPrincipal owner;
  private final Semaphore room;
  /** Staged and not yet taken by the server: each holds one unit of {@link #room}. */
  private final Set<String> waiting = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final ExecutorService pool;
  private final Thread feeder;
  private final WatchService watch;

  private WalStage(PitrStore store, Path dir, List<String> plan, int ahead, int threads, UserPrincipal owner,
      WatchService watch) {
    this.store = store;
    this.dir = dir;
    this.plan = plan;
    for (int i = 0; i < plan.size(); i++) {
      order.put(plan.get(i), i);
    }
    this.owner = owner;
    this.watch = watch;
    this.room = new Semaphore(ahead);
    AtomicInteger n = new AtomicInteger();
    ThreadFactory tf = r -> {
      Thread t = new Thread(r, "cairn-walstage-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.pool = Executors.newFixedThreadPool(threads, tf);
    this.feeder = tf.newThread(this::feed);
  }

  /**
   * The segments recovery from a base backup reads, in order, as far as the repository holds them without a hole;
   * {@code end}, when they reach the newest segment the repository holds, is the one after it: the end of the WAL
   * (as the restore began), which the script answers itself. After a hole, wal-get answers (recovery stops there).
   */
  record Plan(List<String> segments, String end) {}

  static Plan plan(Window w, BaseInfo base) {
    List<String> out = new ArrayList<>();
    // the end is the newest timeline's last segment: its ancestors may have gone on past the branch
    var newest = w.segments.get(w.lineage.target());
    long last = newest != null ? newest.last() : w.segments.values().stream().mapToLong(s -> s.last()).max().orElse(-1);
    long n = Segment.of(base.timeline(), base.start(), w.segmentSize).number();
    for (; n <= last && w.has(w.along(n)); n++) {
      out.add(w.along(n).name(w.segmentSize));
    }
    return new Plan(out, newest != null && n == last + 1 ? w.along(n).name(w.segmentSize) : null);
  }

  /**
   * Writes the plan and the script into {@code dataDir/cairn_stage} and starts staging; {@code fallback} is the
   * wal-get command line (shell-quoted, without %f %p). The caller closes it once recovery is over.
   */
  static WalStage start(PitrStore store, Path dataDir, Plan plan, long segmentSize, String fallback, OsUser user) {
    Path dir = dataDir.resolve(DIR);
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(PLAN), (String.join("\n", plan.segments()) + "\n").getBytes(StandardCharsets.UTF_8));
      Path script = dir.resolve(SCRIPT);
      String last = plan.segments().isEmpty() ? null : plan.segments().get(plan.segments().size() - 1);
      Files.writeString(script, script(dir, ProcessHandle.current().pid(), last, plan.end(), fallback));
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
      UserPrincipal owner = user.viaRoot() ? user.principal() : null;
      if (owner != null) {
        Files.setOwner(dir, owner); // the server moves staged files out of it
      }
      for (String f : store.walFiles()) {
        if (Segment.HISTORY.matcher(f).matches()) {
          stageHistory(store, dir, f, owner);
        }
      }
      WatchService watch = FileSystems.getDefault().newWatchService();
      dir.register(watch, StandardWatchEventKinds.ENTRY_DELETE);
      int ahead = (int) Math.max(2, Math.min(Integer.MAX_VALUE, AHEAD_BYTES / segmentSize));
      int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
      WalStage s = new WalStage(store, dir, plan.segments(), ahead, threads, owner, watch);
      s.feeder.start();
      return s;
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot prepare " + dir + " for the WAL of the recovery: "
          + e.getMessage());
    }
  }

  /** A history file, checked; PostgreSQL asks for them more than once, so the script copies them. */
  private static void stageHistory(PitrStore store, Path dir, String name, UserPrincipal owner) throws IOException {
    Optional<byte[]> raw;
    try {
      raw = store.readWal(name);
    } catch (CairnException e) {
      Files.write(dir.resolve(name + ASK), new byte[0]); // damaged: wal-get says so when recovery asks for it
      return;
    }
    if (raw.isPresent()) {
      Path tmp = dir.resolve("." + name + ".tmp");
      Files.write(tmp, raw.get());
      if (owner != null) {
        Files.setOwner(tmp, owner);
      }
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }
  }

  /**
   * POSIX sh, as PostgreSQL runs restore_command. {@code pid} is this process: once it is gone, nothing more is
   * staged and wal-get answers for every planned segment not staged. A history file not staged and not damaged, and
   * {@code end}, were not in the repository when the restore began: the script says so itself (exit 1). The
   * {@code last} planned segment is copied, not moved: at the end of the WAL, PostgreSQL reads it again.
   */
  static String script(Path dir, long pid, String last, String end, String fallback) {
    String d = PitrRestore.shellQuote(dir.toString());
    return "#!/bin/sh\n"
        + "# restore_command of cairn pitr restore: a segment staged (checked, decompressed) by the restore is moved\n"
        + "# into place; anything else goes to cairn wal-get, which tells a missing or damaged one from the end.\n"
        + "d=" + d + "\n"
        + "case \"$1\" in\n"
        + "  *.history)\n"
        + "    if [ -f \"$d/$1\" ] && cp \"$d/$1\" \"$2\"; then exit 0; fi\n"
        + "    [ -f \"$d/$1" + ASK + "\" ] || exit 1 ;;\n"
        + (end == null ? "" : "  " + end + ") exit 1 ;;\n")
        + "  *) if grep -qxF \"$1\" \"$d/" + PLAN + "\"; then\n"
        + "    [ -f \"$d/$1\" ] || : > \"$d/$1" + WANTED + "\"\n"
        + "    while [ ! -f \"$d/$1\" ] && [ ! -f \"$d/$1" + ASK + "\" ] && [ ! -f \"$d/$1" + TAKEN + "\" ] \\\n"
        + "        && [ -d /proc/" + pid + " ]; do sleep 0.02; done\n"
        + (last == null ? "" : "    if [ \"$1\" = " + last + " ] && [ -f \"$d/$1\" ] && cp \"$d/$1\" \"$2\"; then exit 0; fi\n")
        + "    if [ -f \"$d/$1\" ] && mv -f \"$d/$1\" \"$2\"; then : > \"$d/$1" + TAKEN + "\"; exit 0; fi\n"
        + "  fi ;;\n"
        + "esac\n"
        + "exec " + fallback + " \"$1\" \"$2\"\n";
  }

  private void feed() {
    int next = 0;
    try {
      for (; next < plan.size(); next++) {
        while (!room.tryAcquire()) {
          awaitConsumed();
          if (stopping.get()) {
            return;
          }
        }
        String name = plan.get(next);
        pool.execute(() -> stageOne(name));
      }
    } catch (InterruptedException | ClosedWatchServiceException | RejectedExecutionException e) {
      // closed: recovery is over
    } catch (RuntimeException e) {
      LOG.warning("staging the WAL of the recovery stopped: " + e.getMessage());
      for (; next < plan.size(); next++) {
        unstaged(plan.get(next), dir.resolve("." + plan.get(next) + ".tmp")); // wal-get answers for them
      }
    }
  }

  /**
   * Returns room for each staged segment the server took since, and for those it went past (a segment read
   * from another timeline than planned): they are dropped, and wal-get answers for them if ever asked.
   */
  private void awaitConsumed() throws InterruptedException {
    var key = watch.poll(200, TimeUnit.MILLISECONDS);
    if (key != null) {
      key.pollEvents();
      key.reset();
    }
    int front = -1;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        String f = p.getFileName().toString();
        String n = f.endsWith(TAKEN) || f.endsWith(WANTED) ? f.substring(0, f.lastIndexOf('.')) : null;
        front = Math.max(front, n == null ? -1 : order.getOrDefault(n, -1));
      }
    } catch (IOException | UncheckedIOException e) {
      return; // the stage is being removed
    }
    for (String name : waiting) {
      boolean taken = !Files.exists(dir.resolve(name));
      if ((taken || order.get(name) < front) && waiting.remove(name)) {
        room.release();
        if (!taken) {
          try {
            Files.write(dir.resolve(name + ASK), new byte[0]);
            Files.deleteIfExists(dir.resolve(name));
          } catch (IOException ignored) {
            // the stage is being removed
          }
        }
      }
    }
  }

  private void stageOne(String name) {
    Path tmp = dir.resolve("." + name + ".tmp");
    boolean staged = false;
    try {
      if (stopping.get()) {
        return;
      }
      byte[] raw = store.readWal(name).orElseThrow(() -> new CairnException(ErrorCode.BACKUP_NOT_FOUND,
          "WAL segment " + name + " is no longer in " + store.storage().location()));
      Files.write(tmp, raw);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      if (owner != null) {
        Files.setOwner(tmp, owner); // the server recycles restored segments and writes into them
      }
      Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      waiting.add(name); // after the move: one the server took at once is found gone at the next look
      staged = true;
    } catch (RuntimeException | IOException e) {
      // wal-get reads it again and stops recovery with its own error when it is damaged or gone
      LOG.warning("staging WAL " + name + " for the recovery: " + e.getMessage());
    } finally {
      if (!staged) {
        unstaged(name, tmp); // whatever went wrong, the script must not wait for it
      }
    }
  }

  private void unstaged(String name, Path tmp) {
    room.release();
    try {
      Files.deleteIfExists(tmp);
      Files.write(dir.resolve(name + ASK), new byte[0]);
    } catch (IOException ignored) {
      // the script then waits for this process to end, and wal-get answers
    }
  }

  /** Stops staging and removes the stage (recovery is over). */
  @Override
  public void close() {
    stopping.set(true);
    feeder.interrupt();
    pool.shutdownNow();
    try {
      feeder.join(TimeUnit.SECONDS.toMillis(30));
      pool.awaitTermination(30, TimeUnit.SECONDS);
      watch.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException ignored) {
      // closing the watch of a directory about to go
    }
    PitrRestore.deleteTree(dir);
  }
}
