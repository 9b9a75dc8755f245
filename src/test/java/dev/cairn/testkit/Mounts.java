package dev.cairn.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** A small tmpfs for "repository full" and "read-only" tests; needs root (the test machine runs as root). */
public final class Mounts implements AutoCloseable {
  private final Path dir;

  private Mounts(Path dir) {
    this.dir = dir;
  }

  public static Mounts tmpfs(String options) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("cairn-tmpfs-");
    int rc = exec("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
    Assumptions.assumeTrue(rc == 0, "mounting a tmpfs needs root; skipped");
    return new Mounts(dir);
  }

  public Path dir() {
    return dir;
  }

  /** Changes the mount's options in place (e.g. a larger size), keeping its files. */
  public void remount(String options) throws IOException, InterruptedException {
    int rc = exec("mount", "-o", "remount," + options, dir.toString());
    if (rc != 0) {
      throw new IOException("remount of " + dir + " with " + options + " failed: exit " + rc);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    exec("umount", dir.toString());
    Files.deleteIfExists(dir);
  }

  private static int exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
  }
}
