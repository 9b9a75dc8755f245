package dev.cairn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What must never appear in main code: each rule names the reason it exists. */
class SourceRulesTest {
  private static final Path MAIN = Path.of("src/main/java");

  private record Rule(Pattern pattern, String why, List<String> allowedPackages) {
    Rule(Pattern pattern, String why, String... allowedPackages) {
      this(pattern, why, List.of(allowedPackages));
    }

    boolean allows(String rel) {
      return allowedPackages.stream().anyMatch(rel::startsWith);
    }
  }

  private static final List<Rule> RULES = List.of(
      new Rule(Pattern.compile("Thread\\.sleep\\("), "sleeping blocks a thread; use Vert.x timers"),
      new Rule(Pattern.compile("System\\.(out|err)"), "only the CLI prints; everything else logs", "dev/cairn/cli/"),
      // The S3 driver too: Storage is blocking by contract (called from worker pools), and it refuses
      // to wait on an event loop.
      new Rule(Pattern.compile("\\.await\\(\\)"), "awaiting can block an event loop; only the CLI main thread waits",
          "dev/cairn/cli/", "dev/cairn/storage/s3/"),
      new Rule(Pattern.compile("printStackTrace\\(\\)"), "stack traces go through the CLI's error handler"),
      new Rule(Pattern.compile("TODO(?!\\(#\\d+\\))"), "a TODO names its issue: TODO(#12)"),
      new Rule(Pattern.compile("CompletableFuture"), "compose Vert.x futures; do not mix in CompletableFuture"),
      new Rule(Pattern.compile("\\.to(Lower|Upper)Case\\(\\)"),
          "case mapping follows the default locale (tr-TR: \"RUNNING\" -> \"runnıng\"); give Locale.ROOT"),
      // Repository bytes go through the storage interface only, so a remote driver can stand in for a
      // directory; besides the drivers, only local files that are not the repository's are read here:
      // the configuration, ~/.pgpass and certificates, PostgreSQL's programs; pitr/ works on PostgreSQL's own
      // files (the WAL spool pg_receivewal writes, the data directory a restore lays down).
      new Rule(Pattern.compile("\\bFiles\\.|FileChannel|RandomAccessFile|File(In|Out)putStream|fileSystem\\(\\)"),
          "file I/O belongs to the storage drivers (dev.cairn.storage)", "dev/cairn/storage/",
          "dev/cairn/config/", "dev/cairn/conn/", "dev/cairn/pgtools/", "dev/cairn/pitr/"));

  @Test
  void mainCodeKeepsTheBannedCallsOut() throws IOException {
    List<String> violations = new ArrayList<>();
    try (Stream<Path> files = Files.walk(MAIN)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String rel = MAIN.relativize(f).toString();
        List<String> lines = Files.readAllLines(f);
        for (int i = 0; i < lines.size(); i++) {
          for (Rule r : RULES) {
            if (r.pattern.matcher(lines.get(i)).find() && !r.allows(rel)) {
              violations.add(rel + ":" + (i + 1) + ": " + lines.get(i).strip() + "  <- " + r.why);
            }
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}
