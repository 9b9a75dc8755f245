package dev.cairn.cli;

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
 * credentials file, never from the command line (process arguments are visible to every user).
 */
final class RepoOptions {
  @Option(names = "--repo", required = true, paramLabel = "DIR|s3://BUCKET/PREFIX",
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

  boolean s3() {
    if (!repo.startsWith("s3://") && (endpoint != null || region != null || pathStyle)) {
      throw new CairnException(ErrorCode.USAGE, "--s3-endpoint, --s3-region and --s3-path-style go with --repo"
          + " s3://BUCKET/PREFIX, not with the directory " + repo);
    }
    return repo.startsWith("s3://");
  }

  /** Opens the repository for reading; a local directory must exist. */
  Repository open() {
    return s3() ? Repository.of(S3Storage.open(location())) : Repository.open(Path.of(repo));
  }

  /** Opens the repository for writing; a local directory is created when missing. */
  Repository openForWrite() {
    return s3() ? Repository.of(S3Storage.open(location())) : Repository.openForWrite(Path.of(repo));
  }

  private S3Location location() {
    return S3Location.fromUrl(repo, endpoint, region, pathStyle);
  }
}
