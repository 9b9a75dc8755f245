package dev.cairn.copy;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.Manifest;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Copies;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import dev.cairn.storage.WriteSink;
import dev.cairn.verify.Verifier;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.function.Consumer;

/**
 * Copies one good backup from a source repository to a target through their {@link dev.cairn.storage.Storage}
 * drivers, whatever they are. The archive is streamed into the target's {@code incoming/} (never listed),
 * then checked there: read back whole, its size and SHA-256 must equal what was read from the source, and
 * {@link Verifier} reads every chunk (CRC, decompression, row counts, digests). Only then is it renamed to
 * {@code <id>.cairn} (if absent: a copy never replaces a backup), its {@link Copies} record and its catalog
 * summary (verified) written. Any failure or a cancel removes the upload: a backup is listed in the target only
 * once its copy there is complete and checked. The source is held in use (a lease) until the copy ends, so no
 * process deletes it meanwhile. Runs on the caller's Vert.x context; one instance per copy.
 */
public final class ArchiveCopy {
  /** What was copied: the archive's size and SHA-256, and the verify of the copy. */
  public record Result(String id, long bytes, String sha256, Verifier.Report check, Instant copiedAt) {}

  /** Bytes moved per blocking step: progress and cancellation are looked at between steps. */
  static final int BLOCK = 4 << 20;

  private final Vertx vertx;
  private final Pools pools;
  private final int verifyJobs;
  private final Clock clock;
  private volatile boolean cancelled;
  private volatile Verifier verifier;
  private Consumer<Progress> progress = p -> {};

  public ArchiveCopy(Vertx vertx, Pools pools, int verifyJobs, Clock clock) {
    this.vertx = vertx;
    this.pools = pools;
    this.verifyJobs = Math.max(1, verifyJobs);
    this.clock = clock;
  }

  /** Copying: archive bytes written of its size; then reading: the read-back, then the verify's own progress. */
  public ArchiveCopy onProgress(Consumer<Progress> listener) {
    this.progress = listener;
    return this;
  }

  /** Stops after the current block; {@link #run} then fails with CANCELLED and leaves nothing in the target. */
  public void cancel() {
    cancelled = true;
    Verifier v = verifier;
    if (v != null) {
      v.cancel();
    }
  }

  /** The state of one run, touched by one step at a time. */
  private static final class Transfer {
    ReadSource source;
    Repository.Upload upload;
    WriteSink sink;
    boolean committed;
    boolean published;
    BackupCatalog.Summary summary;
    MessageDigest digest = sha256();
    long size;
    long done;
    String sha256;
    Context context;
    /** One block, reused: what a copy holds in memory. */
    ByteBuffer buf;
  }

  /**
   * Copies {@code id} from {@code source} to {@code target}; {@code from} names the source in the target's
   * copy record. BACKUP_EXISTS when the target has it, BACKUP_ID_CONFLICT when it holds another backup under
   * that id; BACKUP_NOT_FOUND or ARCHIVE_CORRUPT when the source has no good backup of that id. Never throws.
   */
  public Future<Result> run(Repository source, String from, Repository target, String id) {
    try {
      Transfer t = new Transfer();
      t.context = vertx.getOrCreateContext();
      return pools.transfer().executeBlocking(() -> open(source, target, id, t), false)
          .compose(v -> Loops.repeat(() -> pools.transfer().executeBlocking(() -> step(t), false)))
          .compose(v -> pools.transfer().executeBlocking(() -> commitAndReadBack(target, t), false))
          .compose(v -> check(target, id, t))
          .compose(report -> pools.transfer().executeBlocking(() -> publish(target, from, id, t, report), false))
          .transform(ar -> pools.transfer().executeBlocking(() -> {
            cleanUp(target, t, ar.failed());
            return null;
          }, false).transform(x -> ar.succeeded() ? Future.succeededFuture(ar.result())
              : Future.failedFuture(ar.cause())));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Void open(Repository source, Repository target, String id, Transfer t) {
    t.summary = Backups.resolve(source, id, null, clock.instant()).summary();
    if (target.exists(id)) {
      throw existing(id, target, t.summary);
    }
    t.source = source.openSource(id, "copy to " + target.location());
    t.size = t.source.size();
    t.upload = target.newUploadName();
    t.upload.take();
    t.sink = target.storage().create(t.upload.key());
    report(t, t.done, Phase.COPYING);
    return null;
  }

  /** One block from the source into the sink; false once the whole archive is written. */
  private boolean step(Transfer t) {
    if (t.done == t.size) {
      return false;
    }
    checkCancelled(t);
    if (t.buf == null) {
      t.buf = ByteBuffer.allocate((int) Math.min(BLOCK, t.size));
    }
    ByteBuffer buf = t.buf.clear().limit((int) Math.min(BLOCK, t.size - t.done));
    t.source.read(t.done, buf);
    buf.flip();
    t.digest.update(buf.duplicate());
    t.sink.write(buf);
    t.done += buf.limit();
    report(t, t.done, Phase.COPYING);
    return true;
  }

  /** Publishes the upload under its incoming key, then reads it back whole: same size, same SHA-256. */
  private Void commitAndReadBack(Repository target, Transfer t) {
    t.sink.commit();
    t.committed = true;
    t.sha256 = HexFormat.of().formatHex(t.digest.digest());
    String key = t.upload.key();
    MessageDigest back = sha256();
    long read = 0;
    try (ReadSource copy = target.storage().open(key).orElseThrow(() -> new CairnException(ErrorCode.REPO_WRITE,
        "the copy " + key + " is missing from " + target.location() + " right after it was written"))) {
      if (copy.size() != t.size) {
        throw new CairnException(ErrorCode.REPO_WRITE, "the copy " + key + " in " + target.location() + " has "
            + copy.size() + " bytes, the source " + t.size + "; not published");
      }
      ByteBuffer buf = t.buf;
      while (read < t.size) {
        checkCancelled(t);
        buf.clear().limit((int) Math.min(BLOCK, t.size - read));
        copy.read(read, buf);
        buf.flip();
        back.update(buf);
        read += buf.limit();
        report(t, read, Phase.READING);
      }
    }
    String sha = HexFormat.of().formatHex(back.digest());
    if (!sha.equals(t.sha256)) {
      throw new CairnException(ErrorCode.REPO_WRITE, "the copy " + key + " in " + target.location()
          + " reads back with SHA-256 " + sha + ", the source's is " + t.sha256 + "; not published",
          "check the target's storage; the copy is retried");
    }
    return null;
  }

  private Future<Verifier.Report> check(Repository target, String id, Transfer t) {
    String key = t.upload.key();
    Verifier v = new Verifier(vertx, pools, verifyJobs).onProgress(progress);
    verifier = v;
    if (cancelled) {
      v.cancel();
    }
    // with the repository's keys when they open it; an encrypted archive no key opens gets the storage-level
    // check (structure and every chunk's CRC32C), all a copy can prove without the data key
    return v.run(() -> ArchiveReader.open(target.storage().open(key).orElseThrow(), key + " in " + target.location(),
            target.keys()))
        .compose(report -> {
          if (!report.ok()) {
            return Future.failedFuture(new CairnException(ErrorCode.ARCHIVE_CORRUPT, "the copy of " + id + " in "
                + target.location() + " is damaged: " + report.problems().size() + " problem(s); first: "
                + report.problems().get(0) + "; not published", "check the target's storage; the copy is retried"));
          }
          if (report.manifest() != null && !id.equals(report.manifest().id())) {
            return Future.failedFuture(new CairnException(ErrorCode.ARCHIVE_CORRUPT, "the copy of " + id
                + " names backup " + report.manifest().id() + " in its manifest; not published"));
          }
          return Future.succeededFuture(report);
        });
  }

  private Result publish(Repository target, String from, String id, Transfer t, Verifier.Report report) {
    checkCancelled(t);
    if (!target.storage().renameIfAbsent(t.upload.key(), target.archiveKey(id))) {
      throw exists(id, target);
    }
    t.published = true; // the upload is the backup now: never removed as a leftover
    Instant now = clock.instant();
    target.copies().put(new Copies.Record(id, from, now, t.size, t.sha256));
    // a storage-level check (encrypted, no key here) proves the bytes, not the rows: the source's state stays
    target.catalog().put(report.storageOnly() ? t.summary
        : t.summary.with(Verification.verified(now, "full verify at copy")));
    return new Result(id, t.size, t.sha256, report, now);
  }

  /** Removes what a failed copy left in the target, closes the source and the leases. Never throws. */
  private void cleanUp(Repository target, Transfer t, boolean failed) {
    try {
      if (failed && !t.published && t.committed) {
        target.storage().delete(t.upload.key());
      } else if (failed && !t.published && t.sink != null) {
        t.sink.abort();
      }
    } catch (RuntimeException e) {
      // left as a leftover: removed as soon as its write lease is gone (Repository.removePartials)
    } finally {
      if (t.upload != null) {
        t.upload.close();
      }
      if (t.source != null) {
        t.source.close();
      }
    }
  }

  private void checkCancelled(Transfer t) {
    if (cancelled) {
      throw new CairnException(ErrorCode.CANCELLED, "copy cancelled after " + t.done + " of " + t.size
          + " bytes; nothing was published in the target");
    }
  }

  /** Work and bytes are the archive's bytes, written (copying) or read back (reading). */
  private void report(Transfer t, long done, Phase phase) {
    t.context.runOnContext(v -> progress.accept(new Progress(done, 0, 0, 0, done, t.size, phase)));
  }

  /**
   * BACKUP_EXISTS when the target holds this very backup (same start and finish, by its catalog summary or
   * its manifest); BACKUP_ID_CONFLICT when it holds another one under the id (only retention freeing the id
   * in the source lets a new backup take it). What cannot be read there (damaged, no key) counts as this one:
   * nothing is replaced either way.
   */
  private record Taken(Instant started, Instant finished) {}

  private static CairnException existing(String id, Repository target, BackupCatalog.Summary source) {
    Taken there = target.catalog().get(id).filter(s -> s.id().equals(id))
        .map(s -> new Taken(s.started(), s.finished())).orElse(null);
    if (there == null) {
      try (ArchiveReader r = target.openArchive(id)) {
        Manifest m = Manifest.parse(r.manifestJson(), r.name());
        // an archive renamed to this id is another backup whatever its times
        there = id.equals(m.id()) ? new Taken(m.started(), m.finished()) : new Taken(null, null);
      } catch (CairnException e) {
        return exists(id, target);
      }
    }
    if (!source.started().equals(there.started()) || !source.finished().equals(there.finished())) {
      return new CairnException(ErrorCode.BACKUP_ID_CONFLICT, "backup " + id + " in " + target.location()
          + " is a different backup" + (there.started() == null ? "" : " (taken " + there.started() + ")")
          + " than the one to copy (taken " + source.started() + "); neither is replaced",
          "rename or delete one of them, then copy again");
    }
    return exists(id, target);
  }

  private static CairnException exists(String id, Repository target) {
    return new CairnException(ErrorCode.BACKUP_EXISTS, "backup " + id + " already exists in " + target.location()
        + "; not copied", "a copy never replaces a backup; delete it there first to copy it again");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
