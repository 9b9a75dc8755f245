package dev.cairn.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where backups are written: an absolute directory path (created on first use if its parent exists). */
public record RepositoryConfig(Path path) {
  public RepositoryConfig {
    Objects.requireNonNull(path, "path");
  }
}
