package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Verification;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HealthTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  private static Backups.Entry good(String id, Instant finished) {
    Manifest m = new Manifest(1, id, "whatever_db", "dev", "15", 150000, "15", "UTF8", "s", finished, finished,
        finished, new JsonObject(), List.of(), List.of(), List.of(), List.of());
    return new Backups.Entry(id, 100, BackupCatalog.Summary.of(m, id, 100, Verification.UNVERIFIED), m, null);
  }

  private static Backups.Entry damaged(String id) {
    return new Backups.Entry(id, 100, null, null, "truncated");
  }

  private static Backups.Entry failedVerify(String id, Instant finished) {
    Backups.Entry e = good(id, finished);
    return new Backups.Entry(id, 100, e.summary().with(Verification.failed(finished, "full verify",
        "table public.t chunk 2 at byte offset 4096: crc32c mismatch", 1)), e.manifest(), null);
  }

  @Test
  void aBackupThatFailedVerificationDoesNotKeepHealthGreen() {
    Map<String, Duration> max = Map.of("app", Duration.ofHours(26));
    Health.Report r = Health.evaluate(List.of(failedVerify("app-20261121T110000Z", NOW.minusSeconds(3600)),
        good("app-20261119T020000Z", NOW.minus(Duration.ofHours(58)))), max, NOW);
    assertFalse(r.ok(), r.json().encode());
    assertEquals("newest good backup app-20261119T020000Z is 58h old, more than 26h",
        r.json().getJsonArray("databases").getJsonObject(0).getString("reason"));
  }

  @Test
  void healthyWhenEveryDatabaseHasARecentGoodBackup() {
    Map<String, Duration> max = new LinkedHashMap<>();
    max.put("app", Duration.ofHours(26));
    max.put("crm", Duration.ofHours(26));
    Health.Report r = Health.evaluate(List.of(good("app-20261121T020000Z", NOW.minusSeconds(36000)),
        good("crm-20261121T030000Z", NOW.minusSeconds(32400))), max, NOW);
    assertTrue(r.ok(), r.json().encode());
  }

  @Test
  void failingNamesTheDatabaseWhoseNewestGoodBackupIsTooOld() {
    Map<String, Duration> max = Map.of("app", Duration.ofHours(26));
    Health.Report r = Health.evaluate(List.of(damaged("app-20261121T110000Z"),
        good("app-20261119T020000Z", NOW.minus(Duration.ofHours(58)))), max, NOW);
    assertFalse(r.ok());
    String reason = r.json().getJsonArray("databases").getJsonObject(0).getString("reason");
    assertEquals("newest good backup app-20261119T020000Z is 58h old, more than 26h", reason);
  }

  @Test
  void failingWithoutAnyBackupAndNotFooledBySimilarNames() {
    Health.Report r = Health.evaluate(List.of(good("app_old-20261121T110000Z", NOW)), Map.of("app",
        Duration.ofHours(26)), NOW);
    assertFalse(r.ok());
    assertEquals("no good backup of app yet", r.json().getJsonArray("databases").getJsonObject(0).getString("reason"));
  }

  /** Regression (issue 9): one backup dated 30 days ahead kept health green with ageSeconds 0 for 29 days. */
  @Test
  void aBackupDatedInTheFutureTurnsHealthRedAndNeverHidesStaleness() {
    Map<String, Duration> max = Map.of("app", Duration.ofHours(26));
    Health.Report r = Health.evaluate(List.of(good("app-20261221T120000Z", NOW.plus(Duration.ofDays(30))),
        good("app-20261119T020000Z", NOW.minus(Duration.ofHours(58)))), max, NOW);
    assertFalse(r.ok(), r.json().encode());
    JsonObject db = r.json().getJsonArray("databases").getJsonObject(0);
    assertEquals("clock skew: backup app-20261221T120000Z is dated 2026-12-21T12:00:00Z, 30d ahead of this host's"
        + " clock; newest good backup app-20261119T020000Z is 58h old, more than 26h", db.getString("reason"));
    assertEquals("app-20261119T020000Z", db.getString("lastBackup"), "age comes from the newest not in the future");
    assertEquals(58 * 3600, db.getLong("ageSeconds"));
    assertEquals(30L * 86400, db.getJsonObject("clockSkew").getLong("aheadSeconds"));
  }

  @Test
  void aFutureBackupIsRedEvenWhenAnotherIsFreshAndTheOnlyOneCountsAsNone() {
    Map<String, Duration> max = Map.of("app", Duration.ofHours(26));
    Health.Report fresh = Health.evaluate(List.of(good("app-20261122T120000Z", NOW.plus(Duration.ofDays(1))),
        good("app-20261121T110000Z", NOW.minus(Duration.ofHours(1)))), max, NOW);
    assertFalse(fresh.ok());
    assertEquals("clock skew: backup app-20261122T120000Z is dated 2026-11-22T12:00:00Z, 24h ahead of this host's"
        + " clock", fresh.json().getJsonArray("databases").getJsonObject(0).getString("reason"));
    Health.Report only = Health.evaluate(List.of(good("app-20261122T120000Z", NOW.plus(Duration.ofDays(1)))),
        max, NOW);
    assertFalse(only.ok());
    assertTrue(only.json().getJsonArray("databases").getJsonObject(0).getString("reason")
        .endsWith("; no good backup of app dated before now"), only.json().encode());
  }

  @Test
  void aBackupWithinTheClockSkewToleranceIsNormal() {
    Health.Report r = Health.evaluate(List.of(good("app-20261121T120400Z",
        NOW.plus(Latest.CLOCK_SKEW_TOLERANCE).minusSeconds(1))), Map.of("app", Duration.ofHours(26)), NOW);
    assertTrue(r.ok(), r.json().encode());
    assertEquals(0, r.json().getJsonArray("databases").getJsonObject(0).getLong("ageSeconds"));
  }
}
