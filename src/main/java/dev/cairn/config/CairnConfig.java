package dev.cairn.config;

import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The agent's configuration, as loaded and validated by {@link ConfigLoader}; immutable.
 *
 * @param pgBin where pg_dump/pg_restore live, or null to search PATH, then /usr/lib/postgresql/{@literal *}/bin
 */
public record CairnConfig(RepositoryConfig repository, List<DatabaseConfig> databases, HttpConfig http,
    AgentConfig agent, LogConfig log, Path pgBin, EncryptionConfig encryption) {
  /** The time zone of schedules when neither the database nor the top level names one. */
  public static final ZoneId DEFAULT_TIMEZONE = ZoneOffset.UTC;

  public CairnConfig {
    databases = List.copyOf(databases);
  }

  /** Without encryption. */
  public CairnConfig(RepositoryConfig repository, List<DatabaseConfig> databases, HttpConfig http,
      AgentConfig agent, LogConfig log, Path pgBin) {
    this(repository, databases, http, agent, log, pgBin, EncryptionConfig.NONE);
  }

  public Optional<DatabaseConfig> database(String name) {
    return databases.stream().filter(d -> d.name().equals(name)).findFirst();
  }
}
