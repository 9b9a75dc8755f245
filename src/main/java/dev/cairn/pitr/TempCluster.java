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

/**
 * A cluster restored as of a moment only to be read from (cairn restore --at): in a temporary directory, reachable
 * only through a private unix socket with trust authentication (its own pg_hba.conf, no TCP), stopped and
 * deleted by {@link #close}. Blocking.
 */
public final class TempCluster implements AutoCloseable {
  private final Path base;
  private final Path dataDir;
  private final Path socketDir;
  private final int port;
  private OsUser user;
  private Path pgCtl;

  private TempCluster(Path base) {
    this.base = base;
    this.dataDir = base.resolve("data");
    this.socketDir = base.resolve("sock");
    this.port = freePort();
  }

  /** Restores {@code cluster} as of {@code target} and starts it; the caller closes it. */
  public static TempCluster start(PitrStore store, Target target, List<String> walGet, Path pgBin) {
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
    String opts = "-c listen_addresses='' -c unix_socket_directories='" + socketDir + "' -c hba_file='"
        + base.resolve("pg_hba.conf") + "'";
    PitrRestore.Result r = new PitrRestore(store).run(new PitrRestore.Options(target, dataDir, true, port, walGet,
        pgBin, opts));
    pgCtl = ServerBin.find("pg_ctl", store.requireInfo().serverVersionNum() / 10000, pgBin);
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

  @Override
  public void close() {
    if (pgCtl != null && Files.exists(dataDir.resolve("postmaster.pid"))) {
      try {
        new ProcessBuilder(user.command(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "stop")))
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
      } catch (IOException e) {
        throw new CairnException(ErrorCode.INTERNAL, "cannot stop the temporary cluster in " + dataDir + ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    PitrRestore.deleteTree(base);
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new CairnException(ErrorCode.INTERNAL, "no free port for a temporary cluster: " + e.getMessage());
    }
  }
}
