package dev.cairn.pgtools;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PostgreSQL client program (pg_dump, pg_restore) of a known version. */
public record PgTool(Path path, int major, String version) {
  /** Another client program of the same installation (vacuumdb beside pg_restore), when it is there. */
  public java.util.Optional<Path> sibling(String program) {
    Path p = path.resolveSibling(program);
    return java.nio.file.Files.isExecutable(p) ? java.util.Optional.of(p) : java.util.Optional.empty();
  }

  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");

  /**
   * Finds {@code name} with a major version of at least {@code minMajor}: in {@code binDir} when given,
   * else on PATH and in /usr/lib/postgresql/{@literal *}/bin, preferring the newest. On PATH, Debian's
   * pg_wrapper (/usr/bin/pg_dump and the like) is passed over: it only runs one of
   * /usr/lib/postgresql/{@literal *}/bin's programs, which are candidates themselves, and its perl start
   * cost every run (and every probe) 40 ms to half a second. Blocking.
   */
  public static PgTool find(String name, int minMajor, Path binDir) {
    return find(name, minMajor, binDir, System.getenv("PATH"), Path.of("/usr/lib/postgresql"));
  }

  /** {@link #find(String, int, Path)} with the PATH and Debian's installation directory given. */
  static PgTool find(String name, int minMajor, Path binDir, String pathEnv, Path base) {
    Set<Path> candidates = new LinkedHashSet<>();
    if (binDir != null) {
      candidates.add(binDir.resolve(name));
    } else {
      if (pathEnv != null) {
        for (String d : pathEnv.split(File.pathSeparator)) {
          if (!d.isEmpty() && !debianWrapper(Path.of(d, name))) {
            candidates.add(Path.of(d, name));
          }
        }
      }
      if (Files.isDirectory(base)) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base)) {
          for (Path v : ds) {
            candidates.add(v.resolve("bin").resolve(name));
          }
        } catch (IOException ignored) {
          // an unreadable directory simply offers no candidates
        }
      }
    }
    List<PgTool> found = new ArrayList<>();
    for (Path p : candidates) {
      if (Files.isExecutable(p)) {
        PgTool t = probe(p);
        if (t != null && found.stream().noneMatch(f -> f.version.equals(t.version) && f.major == t.major
            && sameFile(f.path, t.path))) {
          found.add(t);
        }
      }
    }
    return found.stream().filter(t -> t.major >= minMajor).max(Comparator.comparingInt(PgTool::major))
        .orElseThrow(() -> new CairnException(ErrorCode.PG_DUMP_VERSION,
            "no " + name + " of major version " + minMajor + " or newer found" + (found.isEmpty() ? ""
                : " (found " + String.join(", ", found.stream().map(t -> t.path + " " + t.version).toList()) + ")"),
            "install the PostgreSQL " + minMajor + " client programs (Debian: postgresql-client-" + minMajor
                + ") or point --pg-bin at their directory"));
  }

  private static boolean debianWrapper(Path p) {
    try {
      return Files.isSymbolicLink(p) && p.toRealPath().getFileName().toString().equals("pg_wrapper");
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  static PgTool probe(Path p) {
    try {
      Process proc = new ProcessBuilder(p.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!proc.waitFor(10, TimeUnit.SECONDS) || proc.exitValue() != 0) {
        proc.destroyForcibly();
        return null;
      }
      Matcher m = VERSION.matcher(out);
      if (!m.find()) {
        return null;
      }
      String version = m.group(2) == null ? m.group(1) : m.group(1) + "." + m.group(2);
      return new PgTool(p, Integer.parseInt(m.group(1)), version);
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
