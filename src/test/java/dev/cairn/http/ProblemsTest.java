package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.jobs.Job;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Verification;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemsTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");
  private static final Map<String, Duration> MAX_AGE = new LinkedHashMap<>(Map.of("alpha", Duration.ofHours(26),
      "zulu", Duration.ofHours(26)));

  private static Backups.Entry backup(String id, Instant finished, Verification v) {
    Manifest m = new Manifest(1, id, "db", "dev", "15", 150000, "15", "UTF8", "s", finished, finished, finished,
        new JsonObject(), List.of(), List.of(), List.of(), List.of());
    return new Backups.Entry(id, 100, BackupCatalog.Summary.of(m, id, 100, v), m, null);
  }

  private static Job backupJob(String db, Instant at, boolean ok) {
    Job j = Job.queued(Job.Kind.BACKUP, db, "schedule", at).running(at);
    return ok ? j.succeeded(at.plusSeconds(5)) : j.failed(at.plusSeconds(5), new CairnException(ErrorCode.DB_CONNECT,
        "cannot connect to 127.0.0.1:1/" + db + ": connection refused", "is the server running?"));
  }

  private static List<Problems.Problem> problems(List<Backups.Entry> backups, List<Job> newestFirst) {
    JsonObject health = Health.evaluate(backups, MAX_AGE, NOW).json();
    return Problems.of(health, newestFirst, backups, MAX_AGE);
  }

  @Test
  void aDatabaseWhoseBackupsFailComesFirstNamedWithTheFirstFailureOfTheRunAndTheHint() {
    Verification verified = Verification.verified(NOW.minusSeconds(60), "full verify");
    List<Backups.Entry> backups = List.of(backup("alpha-20261121T110000Z", NOW.minusSeconds(3600), verified),
        backup("zulu-20261120T020000Z", NOW.minus(Duration.ofHours(20)), verified));
    List<Job> jobs = new ArrayList<>(List.of(backupJob("zulu", NOW.minusSeconds(600), false),
        backupJob("zulu", NOW.minusSeconds(1200), false), backupJob("zulu", NOW.minusSeconds(1800), true),
        backupJob("alpha", NOW.minusSeconds(3700), true)));
    List<Problems.Problem> ps = problems(backups, jobs);
    assertEquals(1, ps.size(), ps.toString());
    Problems.Problem p = ps.get(0);
    assertEquals("failed", p.kind());
    assertEquals(Problems.Severity.CRITICAL, p.severity());
    assertEquals("zulu", p.database());
    assertTrue(p.message().contains("2 runs in a row") && p.message().contains("DB_CONNECT"), p.message());
    assertEquals("is the server running?", p.hint());
    assertEquals(NOW.minusSeconds(1195), p.since(), "the older failure of the two in a row");
    assertEquals("critical", p.toJson().getString("severity"));
  }

  @Test
  void criticalProblemsSortBeforeNoticesWhateverTheDatabaseName() {
    List<Backups.Entry> backups = List.of(backup("alpha-20261121T110000Z", NOW.minusSeconds(3600),
        Verification.UNVERIFIED));
    List<Problems.Problem> ps = problems(backups, List.of());
    assertEquals(List.of("stale zulu", "unverified alpha"), ps.stream().map(p -> p.kind() + " " + p.database()).toList());
    assertTrue(ps.get(0).message().contains("no good backup of zulu"), ps.get(0).message());
  }

  @Test
  void aStaleDatabaseIsStaleSinceItsNewestBackupPassedMaxAge() {
    Instant finished = NOW.minus(Duration.ofHours(30));
    Verification verified = Verification.verified(finished, "full verify");
    List<Problems.Problem> ps = problems(List.of(backup("alpha-20261120T060000Z", finished, verified),
        backup("zulu-20261121T110000Z", NOW.minusSeconds(60), verified)), List.of());
    assertEquals(1, ps.size(), ps.toString());
    assertEquals("stale", ps.get(0).kind());
    assertEquals(finished.plus(Duration.ofHours(26)), ps.get(0).since());
  }

  @Test
  void aBackupThatFailedVerificationIsAWarningNamingIt() {
    Verification bad = Verification.failed(NOW.minusSeconds(30), "full verify", "table public.t chunk 2: crc32c mismatch", 1);
    Verification ok = Verification.verified(NOW.minusSeconds(30), "full verify");
    List<Problems.Problem> ps = problems(List.of(backup("alpha-20261121T110000Z", NOW.minusSeconds(3600), bad),
        backup("alpha-20261121T100000Z", NOW.minusSeconds(7200), ok),
        backup("zulu-20261121T110000Z", NOW.minusSeconds(60), ok)), List.of());
    assertEquals(List.of("verify_failed"), ps.stream().map(Problems.Problem::kind).toList());
    assertTrue(ps.get(0).message().contains("alpha-20261121T110000Z") && ps.get(0).message().contains("crc32c"),
        ps.get(0).message());
  }

  @Test
  void aClustersOwnProblemsAreListedUnderItsNameWithTheirHints() {
    JsonObject health = Health.evaluate(List.of(), Map.of(), NOW).json().put("clusters", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("name", "main").put("problems", new io.vertx.core.json.JsonArray()
            .add(new JsonObject().put("kind", "pitr_check_failed").put("message", "check failed").put("hint", "h1"))
            .add(new JsonObject().put("kind", "wal_gap").put("message", "1 WAL segment(s) missing").put("hint", "h2")))));
    List<Problems.Problem> ps = Problems.of(health, List.of(), List.of(), Map.of());
    assertEquals(List.of("wal_gap", "pitr_check_failed"), ps.stream().map(Problems.Problem::kind).toList(),
        "critical first");
    assertEquals("main", ps.get(0).database());
    assertEquals(Problems.Severity.WARNING, ps.get(1).severity());
    assertEquals("h2", ps.get(0).hint());
  }
}
