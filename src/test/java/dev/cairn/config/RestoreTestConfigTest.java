package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore_test section: what it gives, and every problem it reports with its key path. */
class RestoreTestConfigTest {
  @TempDir Path tmp;

  private String yaml(String... lines) {
    StringBuilder sb = new StringBuilder("repository:\n  path: " + tmp.resolve("repo") + "\ndatabases:\n  - name: app\n"
        + "    url: postgresql://backup@db1:5432/app\n    schedule: \"0 2 * * *\"\n    restore_test:\n");
    for (String l : lines) {
      sb.append("      ").append(l).append('\n');
    }
    return sb.toString();
  }

  private RestoreTestConfig load(String... lines) {
    return ConfigLoader.parse(yaml(lines), "test.yaml", Map.of(), tmp).databases().get(0).restoreTest();
  }

  private List<String> problems(String... lines) {
    CairnException e = assertThrows(CairnException.class, () -> load(lines));
    String[] l = e.getMessage().split("\n");
    return Arrays.asList(l).subList(1, l.length);
  }

  @Test
  void aFullSectionGivesEverySettingAndDefaultsFillTheRest() {
    RestoreTestConfig c = load("schedule: \"0 4 * * 0\"", "after_backup: true", "target: local",
        "tables: {sample: 5}", "checks:", "  - {name: recent, sql: \"select 1\", expect: \"between 1 and 2\"}",
        "keep_on_failure: yes", "timeout: 30m", "max_test_age: 8d");
    assertEquals(List.of("0 4 * * 0"), c.schedule().expressions());
    assertTrue(c.afterBackup() && c.local() && c.keepOnFailure() && c.amcheck());
    assertEquals(5, c.sample());
    assertEquals(List.of(new RestoreTestConfig.SqlCheck("recent", "select 1", "between 1 and 2")), c.checks());
    assertEquals(Duration.ofMinutes(30), c.timeout());
    assertEquals(Duration.ofDays(8), c.maxTestAge());

    RestoreTestConfig d = load("target: postgresql://tester@db2/postgres");
    assertNull(d.schedule());
    assertFalse(d.afterBackup() || d.local() || d.keepOnFailure());
    assertEquals(0, d.sample());
    assertEquals(RestoreTestConfig.DEFAULT_TIMEOUT, d.timeout());
    assertNull(d.maxTestAge());
  }

  @Test
  void theDatabaseBackedUpIsNeverTheTarget() {
    assertEquals(List.of("databases[0].restore_test.target: is the database backed up (other@db1:5432/app); a restore"
        + " test creates its own scratch database on the target server: name another database there, e.g. postgres"),
        problems("target: postgresql://other@db1:5432/app"));
  }

  @Test
  void everyProblemIsNamedByItsKeyPath() {
    assertEquals(List.of(
        "databases[0].restore_test.target: missing (a postgresql:// URI of a server to restore into, or local for a"
            + " throwaway cluster started from the PostgreSQL binaries)",
        "databases[0].restore_test.tables: \"some\" is not all or {sample: N}",
        "databases[0].restore_test.checks[0].expect: \"about 5\" is not an expectation (write e.g. \"> 0\", \"= 5\","
            + " \"between 1 and 10\", \"true\" or \"false\")",
        "databases[0].restore_test.checks[1].sql: missing (a query whose first column of its first row is checked)",
        "databases[0].restore_test.checks[2].expect: \"between 2 and 1\": the lower bound is above the upper one",
        "databases[0].restore_test.checks[2].name: \"a\" is used twice (also checks[0])",
        "databases[0].restore_test.timeout: 0s must be at least 1s",
        "databases[0].restore_test.colour: unknown key (known: schedule, after_backup, target, tables, checks, amcheck,"
            + " keep_on_failure, timeout, max_test_age)"),
        problems("tables: some", "checks:", "  - {name: a, sql: \"select 1\", expect: \"about 5\"}",
            "  - {name: b, expect: \"= 1\"}", "  - {name: a, sql: \"select 2\", expect: \"between 2 and 1\"}",
            "timeout: 0s", "colour: red"));
    assertEquals(List.of("databases[0].restore_test.tables.sample: 0 is out of range 1-100000"),
        problems("target: local", "tables: {sample: 0}"));
  }
}
