package dev.cairn.retention;

import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Applies each database's retention policy after every published backup and on request. The decision is
 * {@link Retention#decide}'s (pure, property-tested); this verticle feeds it the repository's backups and
 * the backups running jobs use, and deletes what it says. Runs one at a time. Backups under names that
 * are not configured databases are never touched. With several repositories, each is a {@link Scope} with
 * its own policies, decided and deleted on its own listing: the newest good backup of each database is kept in
 * every repository, and a copy checked into a repository runs that database's retention again.
 */
public final class RetentionVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger("cairn.retention");

  /** A configured database's policy and the zone its daily/weekly/monthly periods are counted in. */
  public record Target(String database, RetentionPolicy policy, ZoneId zone) {}

  /** One repository and the policies of the databases backed up to it. */
  public record Scope(String repository, Repository repo, List<Target> targets) {}

  private final List<Scope> scopes;
  private final WorkerExecutor io;
  private final Clock clock;
  private Future<?> running = Future.succeededFuture();

  public RetentionVerticle(List<Target> targets, Repository repo, WorkerExecutor io, Clock clock) {
    this(List.of(new Scope(null, repo, List.copyOf(targets))), io, clock);
  }

  public RetentionVerticle(List<Scope> scopes, WorkerExecutor io, Clock clock) {
    this.scopes = List.copyOf(scopes);
    this.io = io;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    vertx.eventBus().<Messages.BackupPublished>consumer(Addresses.BACKUP_PUBLISHED,
        m -> enqueue(m.body().database(), false, "after backup " + m.body().backupId()));
    vertx.eventBus().<Messages.BackupCopied>consumer(Addresses.BACKUP_COPIED, m -> enqueue(m.body().database(), false,
        "after copy of " + m.body().backupId() + " to " + m.body().repository()));
    vertx.eventBus().<Messages.RetentionRequest>consumer(Addresses.RETENTION_RUN, this::onRequest);
    vertx.eventBus().<Messages.Flush>consumer(Addresses.RETENTION_DRAIN,
        m -> running.onComplete(x -> m.reply(new Messages.Flushed())));
    vertx.eventBus().<Messages.RetentionPreviewRequest>consumer(Addresses.RETENTION_PREVIEW, this::onPreview);
    return Future.succeededFuture();
  }

  /**
   * What the policy decides now, and which of the backups kept now a good backup at the next run would push
   * out: the same pure decision, with that backup added and the clock at the next run. Deletes nothing. In the
   * repository that receives the backups (the first).
   */
  private void onPreview(Message<Messages.RetentionPreviewRequest> m) {
    Messages.RetentionPreviewRequest r = m.body();
    Repository repo = scopes.get(0).repo();
    Target t = scopes.get(0).targets().stream().filter(x -> x.database().equals(r.database())).findFirst()
        .orElse(null);
    if (t == null) {
      m.fail(404, "no database named " + r.database() + " in the configuration");
      return;
    }
    vertx.eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY, new Messages.JobsQuery(null, true, 0))
        .map(x -> x.body().inUse())
        .compose(jobs -> io.executeBlocking(() -> {
          Map<String, String> inUse = new java.util.HashMap<>(repo.inUse());
          inUse.putAll(jobs);
          List<BackupInfo> infos = infos(repo, t, Backups.list(repo));
          List<Messages.RetentionDecision> now = decisions(t, Retention.decide(infos, t.policy(), clock.instant(),
              t.zone(), inUse));
          List<Messages.RetentionDecision> after = List.of();
          if (r.nextRun() != null) {
            List<BackupInfo> withNext = new ArrayList<>(infos);
            withNext.add(new BackupInfo(t.database() + "-next", t.database(), r.nextRun(), true));
            java.util.Set<String> keptNow = new java.util.HashSet<>();
            now.stream().filter(Messages.RetentionDecision::keep).forEach(d -> keptNow.add(d.backupId()));
            after = decisions(t, Retention.decide(withNext, t.policy(), r.nextRun(), t.zone(), inUse)).stream()
                .filter(d -> !d.keep() && keptNow.contains(d.backupId())).toList();
          }
          return new Messages.RetentionPreview(t.database(), t.policy().toString(), t.zone().getId(), now,
              r.nextRun(), after);
        }, false))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            m.reply(ar.result());
          } else {
            m.fail(500, ar.cause().getMessage());
          }
        });
  }

  private static List<Messages.RetentionDecision> decisions(Target t, List<Decision> ds) {
    return ds.stream().map(d -> new Messages.RetentionDecision(t.database(), d.id(), d.keep(), d.reasons(), false))
        .toList();
  }

  /** The backups retention decides on for {@code t}: those taken under its name. */
  private List<BackupInfo> infos(Repository repo, Target t, List<Backups.Entry> all) {
    List<BackupInfo> infos = new ArrayList<>();
    for (Backups.Entry e : all) {
      if (t.database().equals(e.name())) {
        Instant recorded = e.readable() ? e.summary().finished() : lastModified(repo, e.id());
        infos.add(new BackupInfo(e.id(), t.database(), recorded, e.good()));
      }
    }
    return infos;
  }

  private void onRequest(Message<Messages.RetentionRequest> m) {
    Messages.RetentionRequest r = m.body();
    if (r.database() != null && scopes.stream().flatMap(sc -> sc.targets().stream())
        .noneMatch(t -> t.database().equals(r.database()))) {
      m.fail(404, "no database named " + r.database() + " in the configuration");
      return;
    }
    enqueue(r.database(), r.dryRun(), r.trigger()).onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(ar.result());
      } else {
        m.fail(500, ar.cause().getMessage());
      }
    });
  }

  private Future<Messages.RetentionReport> enqueue(String database, boolean dryRun, String trigger) {
    Future<Messages.RetentionReport> f = running.transform(x -> run(database, dryRun, trigger));
    running = f;
    return f;
  }

  private Future<Messages.RetentionReport> run(String database, boolean dryRun, String trigger) {
    Job job = Job.queued(Job.Kind.RETENTION, database == null ? "*" : database, trigger, clock.instant())
        .running(clock.instant());
    update(job);
    return vertx.eventBus().<Messages.JobList>request(Addresses.JOBS_QUERY, new Messages.JobsQuery(null, true, 0))
        .map(m -> m.body().inUse())
        .compose(inUse -> io.executeBlocking(() -> decideAndDelete(job.id(), database, dryRun, inUse), false))
        .map(decisions -> {
          long deleted = decisions.stream().filter(Messages.RetentionDecision::deleted).count();
          Job done = job.progress(0, 0, (int) deleted, decisions.size()).succeeded(clock.instant());
          update(done);
          if (deleted > 0 || dryRun) {
            LOG.info(() -> "[" + job.id() + "] retention" + (dryRun ? " (dry run)" : "") + ": " + decisions.size()
                + " backups considered, " + (dryRun ? decisions.stream().filter(d -> !d.keep()).count() + " would go"
                : deleted + " deleted"));
          }
          return new Messages.RetentionReport(done, decisions);
        })
        .recover(e -> {
          CairnException ce = CairnException.wrap(e, ErrorCode.INTERNAL, "retention");
          update(job.failed(clock.instant(), ce));
          LOG.warning(() -> "[" + job.id() + "] retention failed: " + ce.getMessage());
          return Future.failedFuture(ce);
        });
  }

  private List<Messages.RetentionDecision> decideAndDelete(String jobId, String database, boolean dryRun,
      Map<String, String> jobs) {
    List<Messages.RetentionDecision> out = new ArrayList<>();
    for (Scope scope : scopes) {
      out.addAll(decideAndDelete(jobId, scope, database, dryRun, jobs));
    }
    return out;
  }

  private List<Messages.RetentionDecision> decideAndDelete(String jobId, Scope scope, String database, boolean dryRun,
      Map<String, String> jobs) {
    Repository repo = scope.repo();
    // In use by this agent's jobs, or by any process's lease (a CLI restore, a download).
    Map<String, String> inUse = new java.util.HashMap<>(repo.inUse());
    jobs.forEach((id, job) -> inUse.merge(id, job, (a, b) -> a + ", " + b));
    List<Backups.Entry> all = Backups.list(repo);
    Instant now = clock.instant();
    List<Messages.RetentionDecision> out = new ArrayList<>();
    for (Target t : scope.targets()) {
      if (database != null && !database.equals(t.database())) {
        continue;
      }
      for (Decision d : Retention.decide(infos(repo, t, all), t.policy(), now, t.zone(), inUse)) {
        boolean deleted = false;
        boolean keep = d.keep();
        List<String> reasons = d.reasons();
        String where = scope.repository() == null ? "" : " from " + scope.repository();
        if (!keep && !dryRun) {
          try {
            repo.delete(d.id());
            deleted = true;
            LOG.info(() -> "[" + jobId + "] retention deleted " + d.id() + where + ": " + String.join("; ",
                d.reasons()));
          } catch (CairnException e) {
            if (e.code() != ErrorCode.BACKUP_IN_USE && e.code() != ErrorCode.BACKUP_NOT_FOUND) {
              throw e;
            }
            // taken into use (or deleted) by another process since the decision: kept, and said why
            keep = e.code() == ErrorCode.BACKUP_IN_USE;
            reasons = List.of(e.getMessage());
          }
        }
        out.add(new Messages.RetentionDecision(t.database(), d.id(), keep, reasons, deleted, scope.repository()));
      }
    }
    return out;
  }

  private Instant lastModified(Repository repo, String id) {
    return repo.storage().stat(repo.archiveKey(id)).map(o -> Instant.ofEpochMilli(o.modifiedMillis()))
        .orElse(clock.instant());
  }

  private void update(Job job) {
    vertx.eventBus().send(Addresses.JOB_UPDATE, new Messages.JobUpdate(job));
  }
}
