package dev.cairn.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Extensions made for the tests (src/test/resources/extensions), installed into the server's share
 * directory ({@code pg_config --sharedir}), where CREATE EXTENSION finds them.
 */
public final class TestExtensions {
  /** Configuration tables with and without a filter, and a configuration sequence. */
  public static final String CONFIG_TABLES = "cairn_cfgtest";

  private TestExtensions() {}

  /**
   * Installs {@code name}'s control and script files for {@code cluster}'s server; false when the share
   * directory is not writable (not root), so the caller can skip.
   */
  public static synchronized boolean install(PgCluster cluster, String name) {
    ProcessRunner.Result r = ProcessRunner.run(List.of(cluster.binDir().resolve("pg_config").toString(),
        "--sharedir"), null, null, null, java.time.Duration.ofSeconds(10));
    if (!r.ok()) {
      return false;
    }
    Path dir = Path.of(r.stdout().strip(), "extension");
    if (!Files.isWritable(dir)) {
      return false;
    }
    for (String file : List.of(name + ".control", name + "--1.0.sql")) {
      try (InputStream in = TestExtensions.class.getClassLoader().getResourceAsStream("extensions/" + file)) {
        if (in == null) {
          throw new IllegalStateException("test resource extensions/" + file + " not found");
        }
        Files.copy(in, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new IllegalStateException("cannot install test extension " + name + " into " + dir, e);
      }
    }
    return true;
  }

  /** Whether {@code name} can be created on {@code cluster} (pg_available_extensions). */
  public static boolean available(PgCluster cluster, String name) {
    return !cluster.psql("postgres", "SELECT 1 FROM pg_available_extensions WHERE name = "
        + PgCluster.quoteLiteral(name)).isEmpty();
  }
}
