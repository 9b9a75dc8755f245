package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A post-data run's index builds share the restore's --jobs: sessions times (1 + parallel workers) stays within it. */
class IndexBuildWorkersTest {

  @Test
  void oneBuildLeftGetsEveryJobAndSeveralShareThem() {
    assertEquals(3, PgRestoreRun.maintenanceWorkers(4, 1));
    assertEquals(1, PgRestoreRun.maintenanceWorkers(4, 2));
    assertEquals(0, PgRestoreRun.maintenanceWorkers(4, 4));
    assertEquals(1, PgRestoreRun.maintenanceWorkers(8, 3));
    assertEquals(1, PgRestoreRun.maintenanceWorkers(2, 1));
  }

  @Test
  void jobsOneOrAsManySessionsAsJobsBuildWithoutWorkers() {
    assertEquals(0, PgRestoreRun.maintenanceWorkers(1, 1));
    assertEquals(0, PgRestoreRun.maintenanceWorkers(2, 2));
    assertEquals(0, PgRestoreRun.maintenanceWorkers(2, 5));
  }
}
