package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClustersConfigTest {
  @TempDir Path tmp;

  private CairnConfig load(String clusters) throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    return ConfigLoader.parse("repository:\n  path: " + repo + "\n" + clusters, "t.yaml", Map.of(), tmp);
  }

  @Test
  void aClusterAloneIsAValidConfigurationWithTheDocumentedDefaults() throws Exception {
    CairnConfig c = load("clusters:\n  - name: main\n    url: postgresql://repl@db1/postgres?replication=true\n");
    ClusterConfig m = c.cluster("main").orElseThrow();
    assertEquals(0, c.databases().size());
    assertEquals("cairn_main", m.slot());
    assertEquals(Duration.ofMinutes(5), m.maxLag());
    assertEquals(7, m.keepBaseBackups());
    assertEquals(java.util.List.of("0 1 * * *"), m.baseSchedule().expressions());
  }

  @Test
  void theIssuesExampleParsesAsWritten() throws Exception {
    ClusterConfig m = load("clusters:\n  - name: main\n    url: postgresql://cairn_repl@127.0.0.1:5432/postgres?replication=true\n"
        + "    base_backup: {schedule: \"0 3 * * *\"}\n    wal: {slot: cairn_x, max_lag: 30s}\n"
        + "    retention: {keep_base_backups: 2}\n").cluster("main").orElseThrow();
    assertEquals("cairn_x", m.slot());
    assertEquals(Duration.ofSeconds(30), m.maxLag());
    assertEquals(2, m.keepBaseBackups());
  }

  @Test
  void aBadSlotNameAndAnUnknownKeyAreReportedWithTheirPaths() {
    CairnException e = assertThrows(CairnException.class, () -> load("clusters:\n  - name: main\n    url: host=db1\n"
        + "    wal: {slot: Bad-Slot, lag: 5m}\n"));
    assertTrue(e.getMessage().contains("clusters[0].wal.slot"), e.getMessage());
    assertTrue(e.getMessage().contains("clusters[0].wal.lag"), e.getMessage());
  }

  @Test
  void aRestoreTestUnderAClusterParsesWithItsDefaultsAndIsAbsentUnlessConfigured() throws Exception {
    ClusterConfig t = load("clusters:\n  - name: main\n    url: host=db1\n"
        + "    restore_test: {schedule: \"0 5 * * 0\", max_test_age: 8d}\n").cluster("main").orElseThrow();
    assertEquals(java.util.List.of("0 5 * * 0"), t.restoreTest().schedule().expressions());
    assertEquals(Duration.ofDays(8), t.restoreTest().maxTestAge());
    assertEquals(ClusterConfig.RestoreTest.DEFAULT_TIMEOUT, t.restoreTest().timeout());
    ClusterConfig byHand = load("clusters:\n  - name: main\n    url: host=db1\n    restore_test: {timeout: 10m}\n")
        .cluster("main").orElseThrow();
    assertEquals(null, byHand.restoreTest().schedule(), "no schedule: by hand only");
    assertEquals(null, byHand.restoreTest().maxTestAge());
    assertEquals(Duration.ofMinutes(10), byHand.restoreTest().timeout());
    assertEquals(null, load("clusters:\n  - name: main\n    url: host=db1\n").cluster("main").orElseThrow().restoreTest());
  }

  @Test
  void aRestoreTestsBadScheduleAndUnknownKeyAreReportedWithTheirPaths() {
    CairnException e = assertThrows(CairnException.class, () -> load("clusters:\n  - name: main\n    url: host=db1\n"
        + "    restore_test: {schedule: \"0 25 * * *\", target: local}\n"));
    assertTrue(e.getMessage().contains("clusters[0].restore_test.schedule"), e.getMessage());
    assertTrue(e.getMessage().contains("clusters[0].restore_test.target"), e.getMessage());
  }
}
