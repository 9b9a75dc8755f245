package dev.cairn.verify;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.archive.RowDigest;
import dev.cairn.compress.Chunks;
import dev.cairn.engine.Loops;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a whole archive without a database: every chunk's checksum, every chunk decompressed, and each
 * part's row count and content digest recomputed and compared with the manifest.
 */
public final class Verifier {

  /** {@code problems} is empty when the archive is good. */
  public record Report(Manifest manifest, long chunks, long rows, long rawBytes, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private record Task(String what, List<ChunkRef> chunks, long rows, long digest, boolean rowsMatter) {}

  private final Pools pools;
  private final Chunks chunks;
  private final int jobs;

  public Verifier(Vertx vertx, Pools pools, int jobs) {
    this.pools = pools;
    this.chunks = new Chunks(vertx);
    this.jobs = Math.max(1, jobs);
  }

  /** Fails only when the archive cannot be opened at all; chunk-level damage is listed in the report. */
  public Future<Report> run(Path archive) {
    return pools.io().executeBlocking(() -> ArchiveReader.open(archive), false).compose(reader -> {
      Manifest m;
      try {
        m = Manifest.parse(reader.manifestJson(), archive.toString());
      } catch (RuntimeException e) {
        reader.close();
        return Future.failedFuture(e);
      }
      List<Task> tasks = new ArrayList<>();
      tasks.add(new Task("schema (pg_dump output)", m.schemaChunks(), 0, 0, false));
      for (Manifest.Table t : m.tables()) {
        long rows = 0;
        for (int i = 0; i < t.parts().size(); i++) {
          Manifest.Part p = t.parts().get(i);
          rows += p.rows();
          String what = "table " + t.qualifiedName() + (t.parts().size() > 1 ? " part " + (i + 1) + "/" + t.parts().size() : "");
          tasks.add(new Task(what, p.chunks(), p.rows(), p.digest(), true));
        }
        long digest = t.parts().stream().mapToLong(Manifest.Part::digest).sum();
        if (rows != t.rows() || digest != t.digest()) {
          tasks.add(new Task("table " + t.qualifiedName() + " totals", List.of(), -1, 0, true));
        }
      }
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
            return Future.succeededFuture(new Report(m, counters[0], counters[1], counters[2], List.copyOf(problems)));
          });
    });
  }

  /** Checks the next task; false when none is left. */
  private Future<Boolean> next(ArchiveReader reader, ArrayDeque<Task> queue, List<String> problems, long[] counters) {
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
    return Loops.repeat(() -> {
      if (i[0] == t.chunks().size()) {
        return Future.succeededFuture(false);
      }
      int n = i[0]++;
      ChunkRef ref = t.chunks().get(n);
      return chunks.read(reader, ref, digest, t.what() + " chunk " + (n + 1) + "/" + t.chunks().size())
          .map(raw -> {
            counters[0]++;
            counters[2] += raw.length;
            return true;
          })
          .otherwise(e -> {
            problems.add(e.getMessage());
            ok[0] = false;
            return false;
          });
    }).map(v -> {
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
      return true;
    });
  }

  /** The report as the error the CLI exits with. */
  public static CairnException failure(Path archive, Report r) {
    return new CairnException(ErrorCode.ARCHIVE_CORRUPT, "archive " + archive + " is damaged: " + r.problems().size()
        + " problem(s); first: " + r.problems().get(0),
        "restore from another backup; this one cannot be trusted");
  }
}
