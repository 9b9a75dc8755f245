package dev.cairn.jobs;

import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One unit of agent work and its state. Immutable: every change is a new Job, recorded by the jobs
 * verticle in the repository's history.
 */
public record Job(String id, Kind kind, String database, State state, String trigger, Instant created,
    Instant started, Instant finished, long bytes, long rows, int tablesDone, int tablesTotal, String backupId,
    String errorCode, String errorMessage, long workDone, long workTotal, Instant progressAt, Phase phase,
    Instant phaseStarted, int partsDone, int partsTotal, String errorHint) {

  public enum Kind { BACKUP, RETENTION, VERIFY, RESTORE, TEST, COPY }

  public enum State {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean done() {
      return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);

  public static Job queued(Kind kind, String database, String trigger, Instant now) {
    String id = "j-" + ID_TIME.format(now) + "-" + String.format("%04x", RANDOM.nextInt(0x10000));
    return new Job(id, kind, database, State.QUEUED, trigger, now, null, null, 0, 0, 0, 0, null, null, null, 0, 0,
        null, null, null, 0, 0, null);
  }

  public Job running(Instant now) {
    return new Job(id, kind, database, State.RUNNING, trigger, created, now, null, bytes, rows, tablesDone,
        tablesTotal, backupId, null, null, workDone, workTotal, progressAt, phase, phaseStarted, partsDone, partsTotal,
        null);
  }

  public Job progress(long bytes, long rows, int tablesDone, int tablesTotal) {
    return new Job(id, kind, database, state, trigger, created, started, finished, bytes, rows, tablesDone,
        tablesTotal, backupId, errorCode, errorMessage, workDone, workTotal, progressAt, phase, phaseStarted, partsDone,
        partsTotal, errorHint);
  }

  /** Table parts (a split table's page ranges count one each) copied, checked or loaded, of all parts. */
  public Job parts(int done, int total) {
    return new Job(id, kind, database, state, trigger, created, started, finished, bytes, rows, tablesDone,
        tablesTotal, backupId, errorCode, errorMessage, workDone, workTotal, progressAt, phase, phaseStarted, done,
        total, errorHint);
  }

  /** {@code p}'s totals, work and phase, as of {@code at}; a new phase started at {@code at}. */
  public Job progress(Progress p, Instant at) {
    return progress(p.bytes(), p.rows(), p.tablesDone(), p.tablesTotal()).work(p.workDone(), p.workTotal(), at)
        .parts(p.partsDone(), p.partsTotal()).phase(p.phase(), at);
  }

  private Job phase(Phase p, Instant at) {
    if (p == phase) {
      return this;
    }
    return new Job(id, kind, database, state, trigger, created, started, finished, bytes, rows, tablesDone,
        tablesTotal, backupId, errorCode, errorMessage, workDone, workTotal, progressAt, p, p == null ? null : at,
        partsDone, partsTotal, errorHint);
  }

  /**
   * Progress against an estimate of the whole job's work (for a backup: heap bytes of the tables copied so
   * far, of all tables), as of {@code at}: gives the job's percent and estimated finish.
   */
  public Job work(long done, long total, Instant at) {
    return new Job(id, kind, database, state, trigger, created, started, finished, bytes, rows, tablesDone,
        tablesTotal, backupId, errorCode, errorMessage, done, total, at, phase, phaseStarted, partsDone, partsTotal,
        errorHint);
  }

  /**
   * 0-100, or -1 when the job has no estimate or is in a phase whose work is not measured (an index build at
   * "99 %" would say it is nearly done when nobody knows); 100 only once it succeeded.
   */
  public int percent() {
    if (state == State.SUCCEEDED) {
      return 100;
    }
    if (workTotal <= 0 || (phase != null && !phase.measured())) {
      return -1;
    }
    return (int) Math.min(99, 100 * workDone / workTotal);
  }

  /**
   * When the current measured phase should end, extrapolated from its rate so far; null in an unmeasured
   * phase or without progress to extrapolate from.
   */
  public Instant estimatedFinish() {
    if (state != State.RUNNING || phaseStarted == null || progressAt == null) {
      return null;
    }
    java.time.Duration left = Progress.remaining(phase, workDone, workTotal,
        java.time.Duration.between(phaseStarted, progressAt));
    return left == null ? null : progressAt.plus(left);
  }

  public Job withBackup(String backupId) {
    return new Job(id, kind, database, state, trigger, created, started, finished, bytes, rows, tablesDone,
        tablesTotal, backupId, errorCode, errorMessage, workDone, workTotal, progressAt, phase, phaseStarted, partsDone,
        partsTotal, errorHint);
  }

  public Job succeeded(Instant now) {
    return end(State.SUCCEEDED, now, null, null, null);
  }

  public Job failed(Instant now, String code, String message) {
    return end(State.FAILED, now, code, message, null);
  }

  /** Failed with {@code e}'s code, message and hint (what the operator must do, shown beside the error). */
  public Job failed(Instant now, dev.cairn.error.CairnException e) {
    return end(State.FAILED, now, e.code().name(), e.getMessage(), e.hint());
  }

  public Job cancelled(Instant now, String message) {
    return end(State.CANCELLED, now, "CANCELLED", message, null);
  }

  private Job end(State s, Instant now, String code, String message, String hint) {
    return new Job(id, kind, database, s, trigger, created, started == null ? now : started, now, bytes, rows,
        tablesDone, tablesTotal, backupId, code, message, workDone, workTotal, progressAt, phase, phaseStarted,
        partsDone, partsTotal, hint);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("kind", kind.name().toLowerCase(Locale.ROOT))
        .put("database", database).put("state", state.name().toLowerCase(Locale.ROOT)).put("trigger", trigger)
        .put("created", str(created))
        .put("started", str(started)).put("finished", str(finished)).put("bytes", bytes).put("rows", rows)
        .put("tablesDone", tablesDone).put("tablesTotal", tablesTotal).put("backupId", backupId)
        .put("error", errorCode == null ? null : new JsonObject().put("code", errorCode).put("message", errorMessage)
            .put("hint", errorHint))
        .put("workDone", workDone).put("workTotal", workTotal).put("progressAt", str(progressAt))
        .put("percent", percent() < 0 ? null : percent()).put("estimatedFinish", str(estimatedFinish()))
        .put("phase", phase == null ? null : phase.code()).put("phaseLabel", phase == null ? null : phase.label())
        .put("phaseStarted", str(phaseStarted)).put("partsDone", partsDone).put("partsTotal", partsTotal);
  }

  public static Job fromJson(JsonObject j) {
    JsonObject err = j.getJsonObject("error");
    return new Job(j.getString("id"), Kind.valueOf(j.getString("kind").toUpperCase(Locale.ROOT)),
        j.getString("database"), State.valueOf(j.getString("state").toUpperCase(Locale.ROOT)), j.getString("trigger"),
        inst(j.getString("created")),
        inst(j.getString("started")), inst(j.getString("finished")), j.getLong("bytes", 0L), j.getLong("rows", 0L),
        j.getInteger("tablesDone", 0), j.getInteger("tablesTotal", 0), j.getString("backupId"),
        err == null ? null : err.getString("code"), err == null ? null : err.getString("message"),
        j.getLong("workDone", 0L), j.getLong("workTotal", 0L), inst(j.getString("progressAt")),
        Phase.fromCode(j.getString("phase")), inst(j.getString("phaseStarted")), j.getInteger("partsDone", 0),
        j.getInteger("partsTotal", 0), err == null ? null : err.getString("hint"));
  }

  private static String str(Instant i) {
    return i == null ? null : i.toString();
  }

  private static Instant inst(String s) {
    return s == null ? null : Instant.parse(s);
  }
}
