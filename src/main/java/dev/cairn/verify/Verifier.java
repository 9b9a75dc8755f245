package dev.cairn.verify;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.Integrity;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.archive.RowDigest;
import dev.cairn.compress.Chunks;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads a whole archive without a database: every chunk's checksum, every chunk decompressed, and each
 * part's row count and content digest recomputed and compared with the manifest. Runs on the caller's
 * Vert.x context; one instance per run.
 */
public final class Verifier {

  /**
   * {@code problems} is empty when the archive is good. {@code manifest} is null after a storage-level
   * verify (an encrypted archive and no key): then {@code rawBytes} counts stored bytes and no rows were read.
   */
  public record Report(Manifest manifest, long chunks, long rows, long rawBytes, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }

    /** Only the structure and every chunk's CRC32C were checked, not the contents. */
    public boolean storageOnly() {
      return manifest == null;
    }
  }

  /** {@code table}: the table a part belongs to; null for the schema and the totals check. */
  private record Task(String what, Manifest.Table table, String stream, List<ChunkRef> chunks, long rows,
      long digest, boolean rowsMatter) {}

  private final Pools pools;
  private final Chunks chunks;
  private final int jobs;
  private volatile boolean cancelled;
  private boolean stoppedEarly;
  private Consumer<Progress> progress = p -> {};
  private final Map<String, Integer> partsLeft = new HashMap<>();
  private long bytesDone;
  private long rowsDone;
  private int tablesDone;
  private int tablesTotal;
  private long workTotal;

  public Verifier(Vertx vertx, Pools pools, int jobs) {
    this.pools = pools;
    this.chunks = new Chunks(vertx);
    this.jobs = Math.max(1, jobs);
  }

  /**
   * Called on the context once the manifest is read, after every chunk of table data and after every
   * table; the work is COPY text bytes of the table parts, from the manifest.
   */
  public Verifier onProgress(Consumer<Progress> listener) {
    this.progress = listener;
    return this;
  }

  /**
   * Stops reading: no chunk read starts after this; the reads under way finish, then {@link #run} fails
   * with CANCELLED (unless nothing was left to read). Safe from any thread.
   */
  public void cancel() {
    cancelled = true;
  }

  /**
   * The storage-level verify, without a key: the archive's structure (checked when it was opened) and
   * every chunk's header and CRC32C. Blocking; what an off-site copy can check of an encrypted archive.
   */
  public static Report storageLevel(ArchiveReader reader) {
    Integrity.Report r = Integrity.check(reader);
    return new Report(null, r.chunks(), 0, r.storedBytes(), r.problems());
  }

  /**
   * Fails only when the archive cannot be opened at all or the verify is cancelled; damage is in the report.
   * Never throws, so no job wedges.
   */
  public Future<Report> run(Supplier<ArchiveReader> archive) {
    try {
      return verify(archive);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Report> verify(Supplier<ArchiveReader> archive) {
    return pools.io().executeBlocking(archive::get, false).compose(reader -> {
      if (!reader.readable()) {
        return pools.io().executeBlocking(() -> storageLevel(reader), false).eventually(() -> {
          reader.close();
          return Future.succeededFuture();
        });
      }
      Manifest m;
      try {
        m = Manifest.parse(reader.manifestJson(), reader.name());
      } catch (RuntimeException e) {
        reader.close();
        return Future.failedFuture(e);
      }
      List<Task> tasks = new ArrayList<>();
      tasks.add(new Task("schema (pg_dump output)", null, ChunkAad.SCHEMA, m.schemaChunks(), 0, 0, false));
      if (m.globals() != null) {
        tasks.add(new Task("roles and tablespaces (pg_dumpall output)", null, ChunkAad.GLOBALS, m.globals().chunks(),
            0, 0, false));
      }
      for (Manifest.Table t : m.tables()) {
        long rows = 0;
        for (int i = 0; i < t.parts().size(); i++) {
          Manifest.Part p = t.parts().get(i);
          rows += p.rows();
          workTotal += p.rawBytes();
          String what = "table " + t.qualifiedName() + (t.parts().size() > 1 ? " part " + (i + 1) + "/" + t.parts().size() : "");
          tasks.add(new Task(what, t, ChunkAad.dataStream(t.oid(), p.fromPage()), p.chunks(), p.rows(), p.digest(),
              true));
        }
        long digest = t.parts().stream().mapToLong(Manifest.Part::digest).sum();
        if (rows != t.rows() || digest != t.digest()) {
          tasks.add(new Task("table " + t.qualifiedName() + " totals", null, "", List.of(), -1, 0, true));
        }
        if (t.parts().isEmpty()) {
          tablesDone++;
        } else {
          partsLeft.put(t.qualifiedName(), t.parts().size());
        }
      }
      tablesTotal = m.tables().size();
      report();
      List<String> problems = new ArrayList<>();
      long[] counters = new long[3];
      ArrayDeque<Task> queue = new ArrayDeque<>(tasks);
      List<Future<Void>> running = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        running.add(Loops.repeat(() -> next(reader, queue, problems, counters)));
      }
      return Future.join(running)
          .transform(ar -> {
            reader.close();
            if (stoppedEarly) {
              return Future.failedFuture(new CairnException(ErrorCode.CANCELLED, "verify cancelled after " + counters[0]
                  + " chunks (" + tablesDone + " of " + tablesTotal + " tables checked); the archive was only read"));
            }
            return Future.succeededFuture(new Report(m, counters[0], counters[1], counters[2], List.copyOf(problems)));
          });
    });
  }

  private void report() {
    progress.accept(new Progress(bytesDone, rowsDone, tablesDone, tablesTotal, bytesDone, workTotal, Phase.READING));
  }

  /** Checks the next task; false when none is left or the verify is cancelled. */
  private Future<Boolean> next(ArchiveReader reader, ArrayDeque<Task> queue, List<String> problems, long[] counters) {
    if (cancelled) {
      stoppedEarly |= !queue.isEmpty();
      return Future.succeededFuture(false);
    }
    Task t = queue.poll();
    if (t == null) {
      return Future.succeededFuture(false);
    }
    if (t.rows() < 0) {
      problems.add(t.what() + ": the manifest's table totals do not add up from its parts");
      return Future.succeededFuture(true);
    }
    RowDigest digest = t.rowsMatter() ? new RowDigest() : null;
    boolean[] ok = {true};
    int[] i = {0};
    long[] rowsSeen = {0};
    boolean[] cut = {false};
    return Loops.repeat(() -> {
      if (i[0] == t.chunks().size()) {
        return Future.succeededFuture(false);
      }
      if (cancelled) {
        cut[0] = true;
        stoppedEarly = true;
        return Future.succeededFuture(false);
      }
      int n = i[0]++;
      ChunkRef ref = t.chunks().get(n);
      return chunks.read(reader, ref, ChunkAad.of(t.stream(), t.chunks(), n), digest, t.what() + " chunk " + (n + 1) + "/" + t.chunks().size())
          .map(raw -> {
            counters[0]++;
            counters[2] += raw.length;
            if (t.table() != null) {
              // the digest has counted this chunk's rows by the time its read completes here
              rowsDone += digest.rows() - rowsSeen[0];
              rowsSeen[0] = digest.rows();
              bytesDone += raw.length;
              report();
            }
            return true;
          })
          .otherwise(e -> {
            problems.add(e.getMessage());
            ok[0] = false;
            return false;
          });
    }).map(v -> {
      if (cut[0]) {
        return false;
      }
      if (ok[0] && digest != null) {
        if (!digest.complete()) {
          problems.add(t.what() + ": data ends in the middle of a row");
        } else if (digest.rows() != t.rows()) {
          problems.add(t.what() + ": " + digest.rows() + " rows in the archive, " + t.rows() + " in the manifest");
        } else if (digest.digest() != t.digest()) {
          problems.add(t.what() + ": content digest differs from the manifest");
        }
        counters[1] += digest.rows();
      }
      if (t.table() != null && partsLeft.merge(t.table().qualifiedName(), -1, Integer::sum) == 0) {
        tablesDone++;
        report();
      }
      return true;
    });
  }

  /** The report as the error the CLI exits with. */
  public static CairnException failure(String archive, Report r) {
    return new CairnException(ErrorCode.ARCHIVE_CORRUPT, "archive " + archive + " is damaged: " + r.problems().size()
        + " problem(s); first: " + r.problems().get(0),
        "restore from another backup; this one cannot be trusted");
  }
}
