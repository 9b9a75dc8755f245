package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A post-data run's index builds get the server's parallel workers, or more when --jobs leaves room: sessions
 * times (1 + workers) up to --jobs.
 */
class IndexBuildWorkersTest {

  @Test
  void oneBuildLeftGetsEveryJobAndSeveralShareThem() {
    assertEquals(7, PgRestoreRun.maintenanceWorkers(8, 1, 2));
    assertEquals(3, PgRestoreRun.maintenanceWorkers(8, 2, 2));
    assertEquals(3, PgRestoreRun.maintenanceWorkers(16, 4, 0));
  }

  @Test
  void neverFewerThanTheServerGives() {
    assertEquals(2, PgRestoreRun.maintenanceWorkers(1, 1, 2));
    assertEquals(2, PgRestoreRun.maintenanceWorkers(2, 2, 2));
    assertEquals(2, PgRestoreRun.maintenanceWorkers(4, 4, 2));
    assertEquals(0, PgRestoreRun.maintenanceWorkers(2, 2, 0));
  }
}
