package dev.cairn.restore;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.storage.Scratch;
import dev.cairn.verify.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A restore's every check without the restore: a full verify of the archive, then {@link Preflight}
 * (target state, pg_restore, roles, extensions, tablespace directories), then the free space of the
 * target's data directory against the backup's uncompressed size when that directory can be read here.
 * Changes nothing: the target is only read, the archive only opened. Runs on the caller's context.
 */
public final class DryRun {

  /** One check; {@code failure} null when it passed. */
  public record Line(String what, String detail, CairnException failure) {
    public boolean ok() {
      return failure == null;
    }
  }

  /** {@code plan}: what the restore would do, in order. */
  public record Report(Manifest manifest, List<Line> lines, List<String> plan) {
    /** The first failed check's error; null when the restore would work. */
    public CairnException failure() {
      return lines.stream().filter(l -> !l.ok()).map(Line::failure).findFirst().orElse(null);
    }
  }

  private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "::1");

  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec target;
  private final Restorer.Options opts;
  private final Verifier verifier;
  private final ChildProcess pgRestore = new ChildProcess();
  private volatile boolean stopping;

  public DryRun(Vertx vertx, Pools pools, ConnSpec target, Restorer.Options opts) {
    this.vertx = vertx;
    this.pools = pools;
    this.target = target;
    this.opts = opts;
    this.verifier = new Verifier(vertx, pools, opts.jobs());
  }

  /**
   * Stops the dry run (the verify, pg_restore); {@link #run} then fails once its working directory is
   * removed. Safe from any thread.
   */
  public void cancel() {
    stopping = true;
    verifier.cancel();
    pgRestore.cancel();
  }

  /** {@code archive} opens the archive; it is called twice (the verify, then the checks). */
  public Future<Report> run(Supplier<ArchiveReader> archive) {
    return verifier.run(archive).compose(verified -> {
      if (verified.storageOnly()) { // encrypted, and no key opens it: the reader's error names the slots
        return pools.io().<Report>executeBlocking(() -> {
          try (ArchiveReader r = archive.get()) {
            r.manifestJson();
          }
          throw new CairnException(ErrorCode.INTERNAL, "an unreadable archive opened");
        }, false);
      }
      Line integrity = new Line("archive", verified.ok() ? verified.chunks() + " chunks read, " + verified.rows()
          + " rows and their digests checked" : verified.problems().size() + " problem(s); first: "
          + verified.problems().get(0),
          verified.ok() ? null : Verifier.failure("backup " + verified.manifest().id(), verified));
      Manifest m = verified.manifest();
      List<Manifest.Table> selected;
      try {
        selected = Restorer.select(m, opts.tables());
      } catch (CairnException e) {
        return Future.failedFuture(e);
      }
      if (stopping) {
        return Future.failedFuture(new CairnException(ErrorCode.CANCELLED, "dry run cancelled"));
      }
      return pools.io().executeBlocking(() -> new Object[] {archive.get(), Scratch.create("cairn-dry-run-")}, false)
          .compose(o -> {
            ArchiveReader reader = (ArchiveReader) o[0];
            Scratch scratch = (Scratch) o[1];
            return new Preflight(vertx, pools, target, opts, pgRestore)
                .plan(reader, m, selected, scratch)
                .compose(plan -> pools.io().executeBlocking(() -> {
                  List<Line> lines = new ArrayList<>();
                  lines.add(integrity);
                  plan.checks().forEach(c -> lines.add(new Line(c.what(), c.detail(), c.failure())));
                  lines.add(freeSpace(plan.facts(), m));
                  return new Report(m, List.copyOf(lines), steps(m, selected, plan));
                }, false))
                .eventually(() -> pools.io().executeBlocking(() -> {
                  reader.close();
                  scratch.close();
                  return null;
                }, false));
          });
    });
  }

  /**
   * Usable space of the data directory against the COPY text of the tables restored. Only for a target
   * on this host: a path read from a remote server's settings says nothing about this machine. Blocking.
   */
  private Line freeSpace(TargetFacts f, Manifest m) {
    long need = m.totalRawBytes();
    String host = target.host() == null ? "localhost" : target.host().toLowerCase(Locale.ROOT);
    if (f.dataDirectory() == null) {
      return new Line("free space", "not checked: the data directory is readable by superusers only", null);
    }
    Path dir = Path.of(f.dataDirectory());
    java.util.OptionalLong space = LOCAL_HOSTS.contains(host) || host.startsWith("/") ? Scratch.usableSpace(dir)
        : java.util.OptionalLong.empty();
    if (space.isEmpty()) {
      return new Line("free space", "not checked: data directory " + dir + " is not readable on this host", null);
    }
    {
      long free = space.getAsLong();
      String detail = human(free) + " free in " + dir + ", the backup holds " + human(need) + " of uncompressed data";
      return new Line("free space", detail, free >= need ? null : new CairnException(ErrorCode.RESTORE_PRECONDITION,
          "data directory " + dir + " of " + target.describe() + " has " + human(free) + " free, backup " + m.id()
              + " holds " + human(need) + " of uncompressed data", "free space there, or restore elsewhere"));
    }
  }

  private List<String> steps(Manifest m, List<Manifest.Table> selected, Preflight.Plan p) {
    List<String> out = new ArrayList<>();
    String db = target.database();
    if (p.globals() != null) {
      List<String> create = new ArrayList<>();
      if (!p.globals().newRoles().isEmpty()) {
        create.add("roles " + String.join(", ", p.globals().newRoles()));
      }
      if (!p.globals().newTablespaces().isEmpty()) {
        create.add("tablespaces " + String.join(", ", p.globals().newTablespaces().keySet()));
      }
      out.add(create.isEmpty() ? "create no role or tablespace (all exist)" : "create " + String.join(" and ", create));
    }
    if (opts.clean() && p.facts().databaseExists()) {
      out.add("drop database " + db + " and create it anew (encoding " + m.encoding() + ")");
    } else if (opts.create()) {
      out.add("create database " + db + " (encoding " + m.encoding() + ")");
    }
    boolean data = m.content() != Manifest.Content.SCHEMA_ONLY;
    long rows = selected.stream().mapToLong(Manifest.Table::rows).sum();
    if (m.content() != Manifest.Content.DATA_ONLY) {
      out.add("pg_restore --section=pre-data (tables, types, functions)");
    }
    if (data) {
      out.add("load " + selected.size() + " tables, " + rows + " rows, with " + opts.jobs() + " COPY streams"
          + (m.content() == Manifest.Content.DATA_ONLY ? " (session_replication_role = replica)" : ""));
      out.add("large objects, " + m.sequences().size() + " sequence values");
    }
    if (m.content() != Manifest.Content.DATA_ONLY) {
      out.add("pg_restore --section=post-data (indexes, constraints, triggers)");
    }
    if (data) {
      out.add("refresh " + m.matviews().stream().filter(Manifest.Matview::populated).count()
          + " materialized views, ANALYZE; check every table's row count");
    }
    return List.copyOf(out);
  }

  private static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = (63 - Long.numberOfLeadingZeros(bytes)) / 10;
    return String.format(Locale.ROOT, "%.1f %siB", bytes / (double) (1L << (unit * 10)), "KMGTPE".charAt(unit - 1));
  }
}
