package dev.cairn.config;

import dev.cairn.storage.Storage;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configured repository: a name, where it is (a local directory, or a remote driver's settings) and
 * its retention.
 *
 * @param local the directory, for a local repository; null for a remote one
 * @param remote the driver of a remote repository (S3); null for a local one
 * @param retention the policy applied to every database's backups in this repository; null in the
 *     single-repository form ({@code repository:}), where each database's own {@code retention:} applies
 */
public record RepositoryEntry(String name, RepositoryConfig local, Remote remote, RetentionConfig retention) {
  /** Repository names: they appear in API paths, metrics labels and job records. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  /** The name the single-repository form ({@code repository: {path: ...}}) gives its repository. */
  public static final String LEGACY_NAME = "local";

  /** A repository reached through a driver other than the local one, built from its config section. */
  public interface Remote {
    /** "s3": the kind shown by the API. */
    String kind();

    /** Where it is, for messages and the API; never a secret. */
    String location();

    /** Opens the driver (blocking); its errors are CairnExceptions naming the repository. */
    Storage open();
  }

  public RepositoryEntry {
    Objects.requireNonNull(name, "name");
    if ((local == null) == (remote == null)) {
      throw new IllegalArgumentException("a repository is either local or remote");
    }
  }

  /** "local" or the remote driver's kind. */
  public String kind() {
    return local != null ? "local" : remote.kind();
  }

  public String location() {
    return local != null ? local.path().toString() : remote.location();
  }
}
