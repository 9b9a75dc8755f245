package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatestTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  private static Backups.Entry good(String id, Instant finished) {
    Manifest m = new Manifest(1, id, "db", "dev", "15", 150000, "15", "UTF8", "s", finished, finished,
        finished, new JsonObject(), List.of(), List.of(), List.of(), List.of());
    return new Backups.Entry(id, 100, BackupCatalog.Summary.of(m, id, 100, Verification.UNVERIFIED), m, null);
  }

  @Test
  void latestNeverPicksABackupDatedInTheFuture() {
    Backups.Entry ahead = good("app-20261221T120000Z", NOW.plus(Duration.ofDays(30)));
    Backups.Entry real = good("app-20261121T020000Z", NOW.minus(Duration.ofHours(10)));
    assertEquals(real, Latest.pick(List.of(ahead, real), null, NOW, "/repo"));
    assertEquals(ahead, Latest.pick(List.of(ahead, real), "app", NOW.plus(Duration.ofDays(30)), "/repo"),
        "once the clock has caught up it is the newest");
  }

  @Test
  void onlyFutureBackupsAreNamedInsteadOfPicked() {
    Backups.Entry ahead = good("app-20261221T120000Z", NOW.plus(Duration.ofDays(30)));
    CairnException e = assertThrows(CairnException.class, () -> Latest.pick(List.of(ahead), "app", NOW, "/repo"));
    assertEquals(ErrorCode.BACKUP_NOT_FOUND, e.code());
    assertTrue(e.getMessage().contains("app-20261221T120000Z is dated 2026-12-21T12:00:00Z, after this host's"
        + " clock (2026-11-21T12:00:00Z)"), e.getMessage());
  }

  @Test
  void theToleranceSeparatesSmallDriftFromClockSkew() {
    Instant edge = NOW.plus(Latest.CLOCK_SKEW_TOLERANCE);
    assertEquals(false, Latest.fromTheFuture(good("app-1", edge), NOW));
    assertEquals(true, Latest.fromTheFuture(good("app-2", edge.plusSeconds(1)), NOW));
  }
}
