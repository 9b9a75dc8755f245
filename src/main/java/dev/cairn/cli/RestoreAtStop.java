package dev.cairn.cli;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pitr.TempCluster;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * What SIGINT/SIGTERM do to a running {@code restore --at}: its throwaway server is stopped at once
 * ({@link TempCluster#kill}), a start of it waiting for recovery is interrupted, and the copies stop by their own
 * cancels (the backup's and the restore's, through {@link Cli#await}); the command then unwinds, removing the
 * throwaway cluster and the scratch repository, and exits CANCELLED. The JVM's exit waits for that at most
 * {@link Cli#CLOSE_BOUND_SECONDS}: then what is left is named, and it exits CANCELLED all the same.
 */
final class RestoreAtStop implements AutoCloseable {
  private final Thread runner = Thread.currentThread();
  private final Thread hook = new Thread(this::signalled, "cairn-restore-at-stop");
  private final PrintWriter err;
  // guarded by this
  private boolean stopped;
  private boolean interruptible;
  private TempCluster server;
  private Path scratch;

  private RestoreAtStop(PrintWriter err) {
    this.err = err;
  }

  /** Installed for the calling thread's restore --at until {@link #close}. */
  static RestoreAtStop install(PrintWriter err) {
    RestoreAtStop s = new RestoreAtStop(err);
    Runtime.getRuntime().addShutdownHook(s.hook);
    return s;
  }

  /** Runs the start of the throwaway cluster, which a signal interrupts (it waits for a whole replay). */
  TempCluster starting(Supplier<TempCluster> start) {
    synchronized (this) {
      interruptible = true;
    }
    try {
      return start.get();
    } finally {
      synchronized (this) {
        interruptible = false;
        Thread.interrupted(); // a signal's interrupt must not reach the copies' waits
      }
    }
  }

  /** The throwaway cluster exists (TempCluster.start's callback): a signal that came first ends its start here. */
  synchronized void created(TempCluster c) {
    server = c;
    check();
  }

  /** The throwaway cluster is closed: nothing of it is left to stop. */
  synchronized void serverClosed() {
    server = null;
  }

  synchronized void scratch(Path dir) {
    scratch = dir;
  }

  /** Before each step: a signal that came meanwhile ends the command before the step starts. */
  synchronized void check() {
    if (stopped) {
      throw new CairnException(ErrorCode.CANCELLED, "cancelled by a signal");
    }
  }

  synchronized boolean stopped() {
    return stopped;
  }

  private void signalled() {
    TempCluster c;
    synchronized (this) {
      stopped = true;
      c = server;
      if (interruptible) {
        runner.interrupt();
      }
    }
    if (c != null) {
      c.kill();
    }
    try { // the runner ends by halting the JVM with its own exit code (Main.exit)
      runner.join(Cli.CLOSE_BOUND_SECONDS * 1000L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    String left;
    synchronized (this) {
      left = (server == null ? "" : "; its throwaway server may still run in " + server.dir() + " (pg_ctl -D "
          + server.dir().resolve("data") + " stop -m immediate, then remove " + server.dir() + ")")
          + (scratch == null ? "" : "; its scratch repository " + scratch + " may be left (remove it)");
    }
    err.println("cairn: CANCELLED: restore --at did not finish cleaning up within " + Cli.CLOSE_BOUND_SECONDS
        + " s of the signal" + left);
    err.flush();
    Runtime.getRuntime().halt(ErrorCode.CANCELLED.exitCode());
  }

  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException ignored) {
      // shutting down: the hook runs, and waits for this thread's exit
    }
  }
}
