package dev.cairn.pgtools;

import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster for a restore test ({@code target: local}): initdb into a private scratch
 * directory, started on a free port number that listens on a Unix socket in that directory only (trust
 * authentication, so nothing but this process and root can reach it), stopped and removed by {@link #close}.
 * Durability is off: the cluster never outlives the test. As root, the server runs as the {@code postgres}
 * OS user (initdb and postgres refuse root). Blocking.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("cairn.restoretest");
  private static final String SUPERUSER = "postgres";
  private static final String OS_USER = "postgres";

  private final Path base;
  private final Path data;
  private final Path bin;
  private final boolean root;
  private final int port;
  private final ChildProcess process = new ChildProcess();

  private LocalCluster(Path base, Path bin, boolean root, int port) {
    this.base = base;
    this.data = base.resolve("data");
    this.bin = bin;
    this.root = root;
    this.port = port;
  }

  /** Starts a cluster from the newest server binaries (or those of {@code pgBin}) of at least {@code minMajor}. */
  public static LocalCluster start(Path pgBin, int minMajor) {
    PgTool initdb = PgTool.find("initdb", minMajor, pgBin);
    Path bin = initdb.path().getParent();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path base;
    try {
      base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "cairn-local-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      if (root) {
        UserPrincipal pg = base.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
        Files.setOwner(base, pg);
      }
    } catch (IOException e) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, "cannot prepare a local cluster in "
          + System.getProperty("java.io.tmpdir") + ": " + e.getMessage(), root ? "a local restore test as root runs"
          + " PostgreSQL as the postgres OS user: create it (Debian's postgresql package does)" : null, null, e);
    }
    LocalCluster c = new LocalCluster(base, bin, root, freePort());
    try {
      c.initdb();
      c.configure();
      c.run("pg_ctl start", List.of(bin.resolve("pg_ctl").toString(), "-D", c.data.toString(), "-w", "-t", "120",
          "-l", base.resolve("server.log").toString(), "start"));
      LOG.info(() -> "local cluster from " + bin + " running in " + base);
      return c;
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** The superuser's connection to {@code database}, over the cluster's Unix socket. */
  public ConnSpec spec(String database) {
    return ConnSpec.parse("host=" + base + " port=" + port + " user=" + SUPERUSER + " dbname=" + database,
        Map.of(), Path.of(System.getProperty("user.home")));
  }

  public Path directory() {
    return base;
  }

  /** Stops the server (if it is running) but keeps the directory, for a failed test kept to look at. */
  public void stop() {
    if (Files.exists(data.resolve("postmaster.pid"))) {
      try {
        run("pg_ctl stop", List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w",
            "-t", "60", "stop"));
      } catch (RuntimeException e) {
        LOG.warning(() -> "cannot stop the local cluster in " + base + ": " + e.getMessage());
      }
    }
  }

  /** Stops the server and removes its directory. Never throws. */
  @Override
  public void close() {
    stop();
    try (Stream<Path> s = Files.walk(base)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warning(() -> "cannot remove the local cluster's directory " + base + ": " + e.getMessage());
    }
  }

  private void initdb() {
    List<String> cmd = List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U",
        SUPERUSER, "--no-sync", "-E", "UTF8", "--locale=C.UTF-8");
    try {
      run("initdb", cmd);
    } catch (CairnException e) {
      // a host without the C.UTF-8 locale: plain C
      List<String> c = new ArrayList<>(cmd.subList(0, cmd.size() - 1));
      c.add("--locale=C");
      removeData();
      run("initdb", c);
    }
  }

  private void removeData() {
    try (Stream<Path> s = Files.walk(data)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // initdb refuses a non-empty directory and says so
    }
  }

  private void configure() {
    String conf = String.join("\n", "# a throwaway cluster for one cairn restore test: fast, not durable",
        "listen_addresses = ''", "port = " + port, "unix_socket_directories = '" + base + "'", "fsync = off",
        "synchronous_commit = off", "full_page_writes = off", "max_connections = 40", "logging_collector = off", "");
    try {
      Files.writeString(data.resolve("postgresql.auto.conf"), conf, StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
      Files.writeString(data.resolve("pg_hba.conf"), "local all all trust\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, "cannot configure the local cluster in " + data
          + ": " + e.getMessage());
    }
  }

  private void run(String what, List<String> cmd) {
    List<String> full = new ArrayList<>();
    if (root) {
      full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    full.addAll(cmd);
    ChildProcess.Result r;
    try {
      r = process.run(full, Map.of());
    } catch (IOException e) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, what + " for the local cluster failed: "
          + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, what + " for the local cluster was interrupted");
    }
    if (r.exitCode() != 0) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, what + " for the local cluster in " + base
          + " failed (exit code " + r.exitCode() + "): " + r.tail(6), "see " + base.resolve("server.log"));
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      return 5432; // the socket lives in a private directory: any number works there
    }
  }
}
