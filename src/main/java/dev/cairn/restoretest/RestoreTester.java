package dev.cairn.restoretest;

import dev.cairn.archive.Manifest;
import dev.cairn.config.RestoreTestConfig;
import dev.cairn.conn.ConnSpec;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import dev.cairn.pgtools.LocalCluster;
import dev.cairn.restore.Restorer;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Scratch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One restore test: restores a backup with {@link Restorer} into a fresh scratch database
 * ({@code cairn_test_<name>_<UTC time>}) on the target server, or on a {@link LocalCluster} started for it,
 * then proves the restored database ({@link ContentCheck}, {@link SchemaCheck}, {@link QueryChecks}), and drops
 * it ({@code WITH (FORCE)}) unless the test failed and {@code keepOnFailure}. The run's future always succeeds
 * with a {@link RestoreTestResult}; a test that could not restore, found a difference, or ran past its
 * timeout has {@code passed == false} and the error. Runs on the caller's Vert.x context; one per test.
 */
public final class RestoreTester {
  private static final Logger LOG = Logger.getLogger("cairn.restoretest");
  private static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'_'HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * {@code target}: a connection string of the server to restore into, or {@code local}. {@code tables}: these
   * (schema.table) only; else {@code sample} (0 = all).
   */
  public record Options(String target, List<String> tables, int sample, List<RestoreTestConfig.SqlCheck> checks,
      boolean amcheck, boolean keepOnFailure, Duration timeout, int jobs, Path pgBin) {
    public static Options of(RestoreTestConfig c, int jobs, Path pgBin) {
      return new Options(c.target(), List.of(), c.sample(), c.checks(), c.amcheck(), c.keepOnFailure(), c.timeout(),
          jobs, pgBin);
    }
  }

  private final Vertx vertx;
  private final Pools pools;
  private final Options opts;
  private final Clock clock;
  private final List<String> checked = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private Consumer<Progress> progress = p -> {};
  private Progress lastProgress;
  private volatile boolean stopping;
  private volatile String stopReason;
  private volatile Restorer restorer;
  private volatile ContentCheck content;
  private final SchemaCheck schema = new SchemaCheck();

  public RestoreTester(Vertx vertx, Pools pools, Options opts, Clock clock) {
    this.vertx = vertx;
    this.pools = pools;
    this.opts = opts;
    this.clock = clock;
  }

  /** The restore's progress (its phases and data), then the phase {@link Phase#CHECKING}. */
  public RestoreTester onProgress(Consumer<Progress> listener) {
    this.progress = listener;
    return this;
  }

  /** Stops the test (restore, COPYs, pg_dump); it then fails with CANCELLED. Safe from any thread. */
  public void cancel() {
    stop("restore test was cancelled");
  }

  private void stop(String why) {
    if (stopReason == null) {
      stopReason = why;
    }
    stopping = true;
    Restorer r = restorer;
    if (r != null) {
      r.cancel();
    }
    ContentCheck c = content;
    if (c != null) {
      c.cancel();
    }
    schema.cancel();
  }

  /** The scratch database's name: {@code cairn_test_<name>_<UTC time>}, within PostgreSQL's 63 bytes. */
  static String scratchName(String name, Instant at) {
    String n = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    return "cairn_test_" + (n.length() > 36 ? n.substring(0, 36) : n) + "_" + NAME_TIME.format(at);
  }

  /** Never throws, never fails: the outcome is in the result. */
  public Future<RestoreTestResult> run(Repository repo, String backupId) {
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    TestRun st = new TestRun(backupId, Repository.nameOf(backupId), scratchName(Repository.nameOf(backupId), started));
    long timer = vertx.setTimer(Math.max(1, opts.timeout().toMillis()),
        t -> stop("restore test timed out after " + (opts.timeout().toMillis() < 1000 ? opts.timeout().toMillis()
            + " ms" : opts.timeout().toSeconds() + " s") + " (timeout)"));
    Future<Void> test;
    try {
      test = pools.io().executeBlocking(() -> {
        st.reader = repo.openArchive(backupId, "restore test");
        st.manifest = Manifest.parse(st.reader.manifestJson(), st.reader.name());
        if (opts.target().equals(RestoreTestConfig.LOCAL)) {
          st.cluster = LocalCluster.start(opts.pgBin(), st.manifest.serverVersionNum() / 10000);
          st.admin = st.cluster.spec("postgres");
        } else {
          st.admin = ConnSpec.parse(opts.target());
        }
        st.scratch = st.admin.withDatabase(st.scratchName);
        st.dir = Scratch.create("cairn-restore-test-");
        return null;
      }, false).compose(v -> test(repo, st));
    } catch (RuntimeException e) {
      test = Future.failedFuture(e);
    }
    return test.transform(ar -> {
      vertx.cancelTimer(timer);
      CairnException failure = ar.failed() ? failure(ar.cause(), st) : problems.isEmpty() ? null
          : mismatch(st);
      boolean passed = failure == null;
      return st.cleanUp(vertx, pools, !passed && opts.keepOnFailure()).map(kept -> {
        long ms = (System.nanoTime() - t0) / 1_000_000;
        RestoreTestResult r = new RestoreTestResult(backupId, st.manifest == null ? st.name : st.manifest.database(),
            st.scratchName, st.admin == null ? opts.target() : (st.cluster != null ? "local cluster"
                : st.admin.describe()), passed, started, ms, st.restoreMs, checked, problems,
            passed ? null : failure.code().name(), passed ? null : failure.getMessage(), passed ? null : failure.hint(),
            kept);
        LOG.info(() -> "[restore test " + backupId + "] " + (passed ? "passed" : "FAILED: " + r.message())
            + " in " + ms + " ms (restore " + st.restoreMs + " ms); checked: " + r.checkedLine()
            + (kept == null ? "" : "; kept " + kept));
        return r;
      });
    });
  }

  private Future<Void> test(Repository repo, TestRun st) {
    Manifest m = st.manifest;
    List<Manifest.Table> selected = TableChoice.choose(m, opts.tables(), opts.sample());
    boolean partial = selected.size() < m.tables().size();
    List<String> names = partial ? selected.stream().map(Manifest.Table::qualifiedName).toList() : List.of();
    Restorer r = new Restorer(vertx, pools, st.scratch, new Restorer.Options(opts.jobs(), true, false, names, false,
        false, st.cluster != null, opts.pgBin())).onProgress(p -> {
          lastProgress = p;
          progress.accept(p);
        });
    restorer = r;
    if (stopping) {
      return Future.failedFuture(new CairnException(ErrorCode.CANCELLED, stopReason));
    }
    long r0 = System.nanoTime();
    st.created = true;
    return r.run(() -> repo.openArchive(st.backupId, "restore test")).compose(res -> {
      st.restoreMs = (System.nanoTime() - r0) / 1_000_000;
      progress.accept(new Progress(lastProgress == null ? 0 : lastProgress.bytes(), res.rows(), res.tables(),
          res.tables(), 0, 0, Phase.CHECKING));
      ContentCheck c = new ContentCheck(vertx, pools, st.scratch, opts.jobs());
      content = c;
      return step(c.tables(m, selected), selected.size() + " table" + (selected.size() == 1 ? "" : "s")
          + (partial ? " of " + m.tables().size() : "") + ": row counts and content digests")
          .compose(v -> {
            List<Manifest.Sequence> seqs = partial ? m.sequences().stream().filter(s -> s.ownerName() != null
                && names.contains(s.ownerSchema() + "." + s.ownerName())).toList() : m.sequences();
            return step(c.sequences(seqs), seqs.size() + " sequence" + (seqs.size() == 1 ? "" : "s"));
          })
          .compose(v -> partial || m.content() == Manifest.Content.DATA_ONLY ? skip("schema: not compared for "
              + (partial ? "a sample of tables" : "a data-only backup")) : schema(st))
          .compose(v -> opts.checks().isEmpty() ? Future.<Void>succeededFuture()
              : outcome(new QueryChecks(vertx, st.scratch).sql(opts.checks())))
          .compose(v -> !opts.amcheck() ? Future.<Void>succeededFuture()
              : outcome(new QueryChecks(vertx, st.scratch).amcheck()));
    });
  }

  private Future<Void> schema(TestRun st) {
    return Db.query(vertx, st.scratch, "SELECT current_setting('server_version_num')::int / 10000 AS major",
        "cannot read the version of " + st.scratch.describe())
        .compose(rows -> pools.io().executeBlocking(() -> schema.run(st.reader, st.manifest, st.scratch,
            rows.get(0).getInteger("major"), opts.pgBin(), st.dir), false))
        .compose(o -> {
          guard();
          problems.addAll(o.problems());
          checked.add(o.skipped() == null ? "schema (pg_dump --schema-only)" : "schema: not compared, " + o.skipped());
          return Future.succeededFuture();
        });
  }

  private Future<Void> step(Future<List<String>> check, String what) {
    return check.compose(p -> {
      guard();
      problems.addAll(p);
      checked.add(what);
      return Future.succeededFuture();
    });
  }

  private Future<Void> outcome(Future<QueryChecks.Outcome> check) {
    return check.compose(o -> {
      guard();
      problems.addAll(o.problems());
      checked.add(o.checked());
      return Future.succeededFuture();
    });
  }

  private Future<Void> skip(String what) {
    checked.add(what);
    return Future.succeededFuture();
  }

  /** After a stop, no further check counts: a cancelled COPY's short row count is no finding. */
  private void guard() {
    if (stopping) {
      throw new CairnException(ErrorCode.CANCELLED, stopReason);
    }
  }

  private CairnException failure(Throwable t, TestRun st) {
    if (stopping) {
      return new CairnException(ErrorCode.CANCELLED, stopReason + " (backup " + st.backupId + ")",
          opts.timeout() != null && stopReason.contains("timed out") ? "raise restore_test.timeout, or test a sample"
              + " of tables (tables: {sample: N})" : null);
    }
    CairnException e = CairnException.wrap(t, ErrorCode.INTERNAL, "restore test of " + st.backupId);
    return new CairnException(e.code(), "restore test of backup " + st.backupId + " failed: " + e.getMessage(),
        e.hint(), e.sqlState(), e);
  }

  private CairnException mismatch(TestRun st) {
    String first = problems.get(0);
    boolean sql = problems.stream().allMatch(p -> p.startsWith("check \""));
    return new CairnException(ErrorCode.RESTORE_MISMATCH, "restore test of backup " + st.backupId + " failed: "
        + first + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""),
        sql ? "the restored data does not meet the SQL check: look at the query and its expectation"
            + (opts.keepOnFailure() ? "" : "; keep_on_failure keeps the scratch database to look at")
            : "cairn verify " + st.backupId + " checks the archive alone: if it passes, the target server changed"
            + " the data or schema while loading (triggers, rules, event triggers, another server version)");
  }
}
