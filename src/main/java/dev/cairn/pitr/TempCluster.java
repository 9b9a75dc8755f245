package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A cluster restored as of a moment only to be read from (cairn restore --at): in a temporary directory, reachable
 * only through a private unix socket with trust authentication (its own pg_hba.conf, no TCP), stopped and
 * deleted by {@link #close}; {@link #kill} stops its server from another thread, even while it is being started.
 * Blocking.
 */
public final class TempCluster implements AutoCloseable {
  /** How long a stop may take before what is left is killed: a throwaway server has nothing to keep. */
  static final int STOP_SECONDS = 5;
  private final Path base;
  private final Path dataDir;
  private final Path socketDir;
  private final int port;
  // set by the starting thread, read by kill() on another
  private volatile OsUser user;
  private volatile Path pgCtl;

  private TempCluster(Path base) {
    this.base = base;
    this.dataDir = base.resolve("data");
    this.socketDir = base.resolve("sock");
    this.port = freePort();
  }

  /** Restores {@code cluster} as of {@code target} and starts it; the caller closes it. */
  public static TempCluster start(PitrStore store, Target target, List<String> walGet, Path pgBin) {
    return start(store, target, walGet, pgBin, t -> { });
  }

  /**
   * As {@link #start(PitrStore, Target, List, Path)}, handing the cluster to {@code created} as soon as its directory
   * exists (before the restore), so that another thread can {@link #kill} it; what {@code created} throws ends the
   * start, the directory removed.
   */
  public static TempCluster start(PitrStore store, Target target, List<String> walGet, Path pgBin,
      Consumer<TempCluster> created) {
    Path base;
    try {
      base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "cairn-at-");
      // the server's user (postgres, when cairn runs as root) must reach its data directory and socket
      Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot create a temporary directory for the cluster as of "
          + target + ": " + e.getMessage());
    }
    TempCluster t = new TempCluster(base);
    try {
      created.accept(t);
      t.startIn(store, target, walGet, pgBin);
      return t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  private void startIn(PitrStore store, Target target, List<String> walGet, Path pgBin) {
    try {
      Files.createDirectories(socketDir);
      Files.writeString(base.resolve("pg_hba.conf"), "local all all trust\n");
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot prepare " + base + ": " + e.getMessage());
    }
    user = OsUser.forDataDir(dataDir);
    user.own(socketDir);
    user.own(base.resolve("pg_hba.conf"));
    // known before the server starts: kill() may come while it does
    pgCtl = ServerBin.find("pg_ctl", store.requireInfo().serverVersionNum() / 10000, pgBin);
    String opts = "-c listen_addresses='' -c unix_socket_directories='" + socketDir + "' -c hba_file='"
        + base.resolve("pg_hba.conf") + "'";
    PitrRestore.Result r = new PitrRestore(store).run(new PitrRestore.Options(target, dataDir, true, port, walGet,
        pgBin, opts));
    if (r.recovery() == null) {
      throw new CairnException(ErrorCode.INTERNAL, "the cluster as of " + target + " did not start");
    }
  }

  /** The bootstrap superuser's usual name: the server's OS user (initdb's default). */
  public String superuser() {
    return user.name();
  }

  /** A libpq conninfo for {@code database} as {@code role} over the private socket. */
  public String conninfo(String database, String role) {
    return "host=" + socketDir + " port=" + port + " dbname='" + database.replace("'", "\\'") + "' user='"
        + role.replace("'", "\\'") + "' sslmode=disable";
  }

  /** The cluster's directory (its data directory is {@code data} in it). */
  public Path dir() {
    return base;
  }

  /**
   * Stops the server at once (pg_ctl stop -m immediate), then kills whatever still names the directory on its command
   * line (a postmaster started a moment ago, before its pid file, and the pg_ctl, tail and wal-get of its start). The
   * directory stays for {@link #close}, which the starting thread still runs.
   */
  public void kill() {
    stop("immediate");
    killLeft();
  }

  @Override
  public void close() {
    stop("fast");
    killLeft();
    PitrRestore.deleteTree(base);
  }

  /** Kills what still names the directory and waits for it: nothing may write into it while it is removed. */
  private void killLeft() {
    List<ProcessHandle> left = ProcessHandle.allProcesses().filter(this::namesDir).toList();
    left.forEach(ProcessHandle::destroyForcibly);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
    left.forEach(p -> awaitExit(p, end));
  }

  private void stop(String mode) {
    Path ctl = pgCtl;
    if (ctl == null || !Files.exists(dataDir.resolve("postmaster.pid"))) {
      return;
    }
    try {
      Process p = new ProcessBuilder(user.command(List.of(ctl.toString(), "-D", dataDir.toString(), "-m", mode, "-t",
          String.valueOf(STOP_SECONDS), "-w", "stop"))).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!awaitExit(p.toHandle(), System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS + 1L))) {
        p.destroyForcibly(); // what is left is killed next
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.INTERNAL, "cannot stop the temporary cluster in " + dataDir + ": " + e.getMessage());
    }
  }

  /**
   * Whether {@code p} ended by {@code end} (System.nanoTime()). A cancelled start interrupts its thread, whose close()
   * must still see its server stopped: the wait is not interruptible (the interrupt is kept).
   */
  private static boolean awaitExit(ProcessHandle p, long end) {
    boolean interrupted = Thread.interrupted();
    try {
      while (true) {
        try {
          p.onExit().get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
          return true;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
          return !p.isAlive();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean namesDir(ProcessHandle p) {
    String dir = base + "/";
    return p.info().arguments().map(a -> java.util.Arrays.stream(a).anyMatch(x -> x.contains(dir))).orElse(false);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new CairnException(ErrorCode.INTERNAL, "no free port for a temporary cluster: " + e.getMessage());
    }
  }
}
