package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/cairn.yaml is documentation operators copy: it must stay valid and say what the code does. */
class ExampleConfigTest {
  private static final Path EXAMPLE = Path.of("conf/cairn.yaml");

  @TempDir Path tmp;

  private CairnConfig loadExample() throws IOException {
    String text = Files.readString(EXAMPLE);
    String original = "path: /var/lib/cairn/backups";
    assertTrue(text.contains(original));
    Path copy = Files.writeString(tmp.resolve("cairn.yaml"), text.replace(original, "path: " + tmp.resolve("backups")));
    return ConfigLoader.load(copy, Map.of("CAIRN_APP_URL", "postgresql://backup@db1.internal/app"), tmp);
  }

  @Test
  void theExampleIsValid() throws IOException {
    CairnConfig c = loadExample();
    assertEquals(tmp.resolve("backups"), c.repository().path());
    assertEquals(List.of("app", "reports"), c.databases().stream().map(DatabaseConfig::name).toList());
    DatabaseConfig app = c.databases().get(0);
    assertEquals("postgresql://backup@db1.internal/app", app.url());
    assertEquals(List.of("0 */6 * * *", "@daily"), app.schedule().expressions());
    assertEquals(ZoneId.of("Europe/Berlin"), app.timezone());
    assertEquals(List.of("local"), c.repositories().stream().map(RepositoryEntry::name).toList());
    assertEquals(new RetentionConfig(4, 0, 7, 4, 12), c.repositories().get(0).retention());
    assertEquals(RetentionConfig.KEEP_EVERYTHING, app.retention());
    DatabaseConfig reports = c.databases().get(1);
    assertEquals(List.of("0 2 * * *"), reports.schedule().expressions());
    assertEquals(ZoneOffset.UTC, reports.timezone());
  }

  @Test
  void theExampleStatesTheDefaults() throws IOException {
    CairnConfig c = loadExample();
    DatabaseConfig app = c.databases().get(0);
    DatabaseConfig reports = c.databases().get(1);
    assertEquals(DatabaseConfig.DEFAULT_JOBS, reports.jobs());
    assertEquals(RetentionConfig.KEEP_EVERYTHING, reports.retention());
    for (DatabaseConfig d : List.of(app, reports)) {
      assertEquals(DatabaseConfig.DEFAULT_BACKUP_TIMEOUT, d.backupTimeout());
      assertEquals(DatabaseConfig.DEFAULT_MAX_AGE, d.maxAge());
      assertEquals(DatabaseConfig.DEFAULT_LOCK_TIMEOUT, d.lockTimeout());
      assertEquals(DatabaseConfig.DEFAULT_SPLIT_BYTES, d.splitBytes());
      assertEquals(DatabaseConfig.DEFAULT_CHUNK_BYTES, d.chunkBytes());
    }
    assertEquals(HttpConfig.DEFAULTS, c.http());
    assertEquals(AgentConfig.DEFAULTS, c.agent());
    assertEquals(LogConfig.DEFAULTS, c.log());
    assertEquals(Duration.ofSeconds(10), c.agent().shutdownGrace());
  }

  @Test
  void theExampleMentionsEveryKey() throws IOException {
    String text = Files.readString(EXAMPLE);
    for (List<String> keys : List.of(ConfigLoader.TOP_KEYS, ConfigLoader.REPOSITORY_KEYS, RepositoriesSection.ENTRY_KEYS, ConfigLoader.DATABASE_KEYS,
        ConfigLoader.RETENTION_KEYS, ConfigLoader.HTTP_KEYS, ConfigLoader.TOKEN_KEYS, ConfigLoader.TLS_KEYS,
        ConfigLoader.AGENT_KEYS, ConfigLoader.LOG_KEYS, NotificationsLoader.ENTRY_KEYS, NotificationsLoader.SMTP_KEYS,
        ClustersLoader.CLUSTER_KEYS, ClustersLoader.TEST_KEYS)) {
      for (String k : keys) {
        assertTrue(text.matches("(?s).*\\n\\s*#?\\s*(- )?" + k + ":.*"), "conf/cairn.yaml does not document " + k);
      }
    }
  }
}
