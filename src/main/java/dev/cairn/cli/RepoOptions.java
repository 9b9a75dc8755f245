package dev.cairn.cli;

import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.RepositoryEntry;
import dev.cairn.crypt.Keys;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Repository;
import dev.cairn.storage.s3.S3Location;
import dev.cairn.storage.s3.S3Storage;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The repository of a command (a picocli mixin): a local directory, or {@code s3://BUCKET/PREFIX} with
 * the endpoint, region and addressing style; S3 credentials come from the AWS variables or the shared
 * credentials file, never from the command line (process arguments are visible to every user). Or a
 * repository of the agent's configuration by name ({@code --config FILE --repository NAME}), opened as the
 * agent opens it: its driver and credentials, and the configured encryption keys.
 */
final class RepoOptions {
  @Option(names = "--repo", paramLabel = "DIR|s3://BUCKET/PREFIX",
      description = "repository: a directory, or an S3 bucket and prefix (credentials from AWS_ACCESS_KEY_ID and"
          + " AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)")
  String repo;

  @Option(names = "--s3-endpoint", paramLabel = "URL",
      description = "S3 endpoint (default: AWS's for the region; MinIO, Ceph, R2, ...: their URL)")
  String endpoint;

  @Option(names = "--s3-region", paramLabel = "REGION",
      description = "S3 region (default: AWS_REGION, AWS_DEFAULT_REGION, else us-east-1)")
  String region;

  @Option(names = "--s3-path-style", description = "address the bucket in the path, not the host name (MinIO, Ceph)")
  boolean pathStyle;

  @Option(names = "--config", paramLabel = "FILE", description = "the agent's configuration, for --repository")
  Path config;

  @Option(names = "--repository", paramLabel = "NAME", description = "instead of --repo: the repository NAME of"
      + " --config, with its credentials and encryption keys")
  String repository;

  private CairnConfig loaded;
  /** A directory standing in for the repository (restore --at stages one); null: none. */
  private Path staged;

  /** Whether a repository was named at all (doctor checks the whole configuration when none was). */
  boolean given() {
    return repo != null || repository != null;
  }

  /** The configuration of --config, loaded once; null without --config. */
  CairnConfig configuration() {
    if (config != null && loaded == null) {
      loaded = ConfigLoader.load(config, System.getenv(), Path.of(System.getProperty("user.home")));
    }
    return loaded;
  }

  /** The configured entry of --repository; null with --repo. USAGE for a contradiction or an unknown name. */
  RepositoryEntry entry() {
    if (repo != null && repository != null) {
      throw new CairnException(ErrorCode.USAGE, "--repo " + repo + " and --repository " + repository
          + " both name the repository", "give one of them");
    }
    if (repo == null && repository == null) {
      throw new CairnException(ErrorCode.USAGE, "no repository given",
          "give --repo DIR (or s3://BUCKET/PREFIX), or --config FILE --repository NAME");
    }
    if (repository == null) {
      if (config != null) {
        throw new CairnException(ErrorCode.USAGE, "--config " + config + " goes with --repository NAME, not --repo",
            "name one of its repositories with --repository, or leave --config out");
      }
      return null;
    }
    if (config == null) {
      throw new CairnException(ErrorCode.USAGE, "--repository " + repository + " names a repository of the agent's"
          + " configuration, but no --config was given", "add --config FILE, or give the repository with --repo");
    }
    if (endpoint != null || region != null || pathStyle) {
      throw new CairnException(ErrorCode.USAGE, "--s3-endpoint, --s3-region and --s3-path-style go with --repo"
          + " s3://BUCKET/PREFIX; the s3 settings of repository " + repository + " are in " + config);
    }
    return named(configuration(), repository, config);
  }

  /** A configured repository by name; USAGE listing the configured ones when there is none of that name. */
  static RepositoryEntry named(CairnConfig cfg, String name, Path file) {
    return cfg.repositories().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new CairnException(ErrorCode.USAGE, "no repository named " + name
            + " in the configuration " + file,
            "the configured repositories: " + String.join(", ", cfg.repositories().stream()
                .map(RepositoryEntry::name).toList())));
  }

  /** Opens a configured repository as the agent does: its driver, and the configured encryption keys. */
  static Repository open(CairnConfig cfg, RepositoryEntry e, boolean write) {
    Repository r = e.remote() != null ? Repository.of(e.remote().open())
        : write ? Repository.openForWrite(e.local().path()) : Repository.open(e.local().path());
    return r.withKeys(cfg.encryption().toKeys().prepare());
  }

  boolean s3() {
    if (staged != null) {
      return false;
    }
    RepositoryEntry e = entry();
    if (e != null) {
      return e.remote() != null;
    }
    if (!repo.startsWith("s3://") && (endpoint != null || region != null || pathStyle)) {
      throw new CairnException(ErrorCode.USAGE, "--s3-endpoint, --s3-region and --s3-path-style go with --repo"
          + " s3://BUCKET/PREFIX, not with the directory " + repo);
    }
    return repo.startsWith("s3://");
  }

  /** Opens the repository for reading; a local directory must exist. */
  Repository open() {
    if (staged != null) {
      Repository r = Repository.open(staged);
      return repository != null ? r.withKeys(configuration().encryption().toKeys().prepare()) : r;
    }
    RepositoryEntry e = entry();
    if (e != null) {
      return open(configuration(), e, false);
    }
    return s3() ? Repository.of(S3Storage.open(location())) : Repository.open(Path.of(repo));
  }

  /** Opens the repository for writing; a local directory is created when missing. */
  Repository openForWrite() {
    RepositoryEntry e = entry();
    if (e != null) {
      return open(configuration(), e, true);
    }
    return s3() ? Repository.of(S3Storage.open(location())) : Repository.openForWrite(Path.of(repo));
  }

  /**
   * The keys to open (and encrypt) with: those the command was given; with --repository and none given, the
   * configuration's, as the agent's.
   */
  Keys keys(Keys given) {
    if (repository == null || given.encrypts() || given.canOpen()) {
      return given;
    }
    entry();
    return configuration().encryption().toKeys().prepare();
  }

  /** The directory of a local repository; USAGE naming {@code what} needs it when the repository is S3. */
  Path localDir(String what) {
    RepositoryEntry e = entry();
    if (s3()) {
      throw new CairnException(ErrorCode.USAGE, what + " reads WAL from a local repository directory, not "
          + (e != null ? "repository " + e.name() + " (" + e.location() + ")" : repo),
          "copy the cluster's pitr/ objects to a directory first, or run it on the repository's host");
    }
    return e != null ? e.local().path() : Path.of(repo);
  }

  /** From now on {@link #open} reads the directory {@code dir} (with the configuration's keys, if any). */
  void useDir(Path dir) {
    staged = dir;
  }

  private S3Location location() {
    return S3Location.fromUrl(repo, endpoint, region, pathStyle);
  }
}
