package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.storage.WriteSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Takes a base backup with {@code pg_basebackup -D - -Ft -X none} (the WAL comes from the stream), compressing
 * (in parallel, {@link BaseStream.Writer}) and checksumming the tar on its way into the repository, and records its
 * WAL range and backup_label. Blocking: run it on a worker.
 */
public final class BaseBackup {
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final PitrStore store;
  private final ClusterConn conn;
  private final Path pgBin;
  private final Clock clock;
  private final ChildProcess child = new ChildProcess();

  private final String slot;

  /** {@code slot}: the stream's slot, created (reserving WAL) before the backup so its WAL stays on the server. */
  public BaseBackup(PitrStore store, ClusterConn conn, String slot, Path pgBin, Clock clock) {
    this.slot = slot;
    this.store = store;
    this.conn = conn;
    this.pgBin = pgBin;
    this.clock = clock;
  }

  public BaseInfo run() {
    ClusterInfo info = conn.facts(store.cluster());
    store.putInfo(info);
    conn.ensureSlot(slot);
    Path tool = basebackupProgram(info, pgBin);
    Instant started = clock.instant();
    String id = store.cluster() + "-" + ID_TIME.format(started);
    List<String> cmd = List.of(tool.toString(), "-d", conn.conninfo(), "-D", "-", "-Ft", "-X", "none", "-c", "fast",
        "-l", "cairn " + id);
    try (WriteSink sink = store.storage().create(store.baseDataKey(id));
        BaseStream.Writer w = new BaseStream.Writer(sink);
        ChildProcess.Started p = child.start(cmd, conn.childEnv(), ChildProcess.Stdout.DATA, line -> {})) {
      TarPeek tar = new TarPeek();
      try (InputStream in = p.stdout()) {
        byte[] buf = new byte[256 << 10];
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          tar.accept(buf, 0, n);
          w.write(buf, 0, n);
        }
      }
      ChildProcess.Result done = p.finish();
      String err = String.join("\n", done.output());
      if (done.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_DUMP_FAILED, "pg_basebackup of cluster " + store.cluster() + " failed (exit "
            + done.exitCode() + "):\n" + err, "the cluster's url needs a role with REPLICATION and a pg_hba.conf line for"
            + " replication connections");
      }
      JsonArray ranges = tar.manifest() == null ? null : new JsonObject(tar.manifest()).getJsonArray("WAL-Ranges");
      if (ranges == null || ranges.isEmpty()) {
        throw new CairnException(ErrorCode.PG_DUMP_FAILED, "pg_basebackup of cluster " + store.cluster()
            + " wrote no backup_manifest with its WAL range:\n" + err);
      }
      // one range per timeline the backup spans (a standby's may span two): from the oldest start to the newest end
      JsonObject first = ranges.getJsonObject(0);
      JsonObject last = ranges.getJsonObject(0);
      for (int i = 1; i < ranges.size(); i++) {
        JsonObject o = ranges.getJsonObject(i);
        first = Lsn.parse(o.getString("Start-LSN")).compareTo(Lsn.parse(first.getString("Start-LSN"))) < 0 ? o : first;
        last = Lsn.parse(o.getString("End-LSN")).compareTo(Lsn.parse(last.getString("End-LSN"))) > 0 ? o : last;
      }
      BaseStream.Result r = w.finish();
      sink.commit();
      BaseInfo b = new BaseInfo(id, first.getInteger("Timeline"), Lsn.parse(first.getString("Start-LSN")),
          Lsn.parse(last.getString("End-LSN")), started, clock.instant(), tar.label(), r.rawBytes(), r.storedBytes(),
          r.sha256());
      store.putBase(b);
      return b;
    } catch (IOException e) {
      throw new CairnException(ErrorCode.PG_DUMP_FAILED, "cannot run " + tool + " for cluster " + store.cluster()
          + ": " + e.getMessage(), null, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // pg_basebackup was stopped with the resources
      throw new CairnException(ErrorCode.CANCELLED, "base backup of cluster " + store.cluster() + " interrupted");
    }
  }

  /**
   * Debian's pg_basebackup of the server's major when there is one: no version probes and no perl wrapper
   * (/usr/bin's, half a second a start); else the newest one new enough.
   */
  static Path basebackupProgram(ClusterInfo info, Path pgBin) {
    Path debian = Path.of("/usr/lib/postgresql", String.valueOf(info.serverVersionNum() / 10000), "bin", "pg_basebackup");
    if (pgBin == null && Files.isExecutable(debian)) {
      return debian;
    }
    return ClusterConn.tool("pg_basebackup", info, pgBin).path();
  }

  /** Stops a running pg_basebackup; the unfinished object is discarded. Safe from any thread. */
  public void cancel() {
    child.cancel();
  }
}
