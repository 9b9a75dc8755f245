package dev.cairn.config;

import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * The agent's configuration, as loaded and validated by {@link ConfigLoader}; immutable.
 *
 * @param repository the first repository when it is local (the only one in the {@code repository:} form), else null
 * @param pgBin where pg_dump/pg_restore live, or null to search PATH, then /usr/lib/postgresql/{@literal *}/bin
 * @param encryption the key slots new backups are encrypted for ({@code encryption:}); NONE: unencrypted
 * @param notifications where alerts go ({@code notifications:}); empty: nowhere
 * @param repositories every configured repository, in the order written; never empty once validated
 */
public record CairnConfig(RepositoryConfig repository, List<DatabaseConfig> databases, HttpConfig http,
    AgentConfig agent, LogConfig log, Path pgBin, List<NotificationConfig> notifications,
    List<RepositoryEntry> repositories, List<ClusterConfig> clusters, EncryptionConfig encryption) {
  /** The time zone of schedules when neither the database nor the top level names one. */
  public static final ZoneId DEFAULT_TIMEZONE = ZoneOffset.UTC;

  public CairnConfig {
    databases = List.copyOf(databases);
    notifications = List.copyOf(notifications);
    repositories = List.copyOf(repositories);
    clusters = List.copyOf(clusters);
  }

  /**
   * The single-repository form: {@code repository} as the one repository, named {@code local}; no notifications,
   * no clusters (no point-in-time recovery), no encryption.
   */
  public CairnConfig(RepositoryConfig repository, List<DatabaseConfig> databases, HttpConfig http, AgentConfig agent,
      LogConfig log, Path pgBin) {
    this(repository, databases, http, agent, log, pgBin, List.of(),
        List.of(new RepositoryEntry(RepositoryEntry.LEGACY_NAME, repository, null, null)), List.of(),
        EncryptionConfig.NONE);
  }

  public Optional<ClusterConfig> cluster(String name) {
    return clusters.stream().filter(c -> c.name().equals(name)).findFirst();
  }

  /**
   * The repositories a database's backups go to, the first receiving them: those it names, else all.
   */
  public List<RepositoryEntry> repositoriesOf(DatabaseConfig db) {
    if (db.repositories().isEmpty()) {
      return repositories;
    }
    return db.repositories().stream().flatMap(n -> repositories.stream().filter(r -> r.name().equals(n))).toList();
  }

  public Optional<DatabaseConfig> database(String name) {
    return databases.stream().filter(d -> d.name().equals(name)).findFirst();
  }
}
