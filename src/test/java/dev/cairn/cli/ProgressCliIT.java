package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's progress lines on stderr, in plain mode, against the real test cluster. */
class ProgressCliIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;

  private String sampleDatabase() throws Exception {
    String src = PG.newDatabase("progress");
    PG.psql(src, "CREATE TABLE a (id serial PRIMARY KEY, v text); CREATE TABLE b (id int);"
        + " INSERT INTO a (v) SELECT 'v' || g FROM generate_series(1, 5000) g;"
        + " INSERT INTO b SELECT generate_series(1, 300); CREATE INDEX ON b (id);"
        + " CREATE MATERIALIZED VIEW mv AS SELECT count(*) AS n FROM a;");
    return src;
  }

  @Test
  void backupVerifyAndRestoreShowEachPhaseInOrderOnStderrAndKeepStdoutClean() throws Exception {
    String src = sampleDatabase();
    CairnCli.Run backup = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--progress", "plain",
        "--progress-interval", "100ms");
    assertEquals(0, backup.code(), backup.toString());
    String id = backup.lastLine();
    assertEquals(id + "\n", backup.out(), "stdout holds the id alone: " + backup);
    assertInOrder(backup, "backup", "connecting", "locking tables", "dumping schema", "copying", "finishing");

    CairnCli.Run verify = CairnCli.run("verify", id, "--repo", repo, "--progress", "plain");
    assertEquals(0, verify.code(), verify.toString());
    assertInOrder(verify, "verify", "reading");
    assertTrue(verify.out().startsWith("OK " + id) && verify.out().lines().count() == 1, verify.toString());

    CairnCli.Run restore = CairnCli.run("restore", id, "--repo", repo, "--db", PG.conninfo(src + "_r"), "--create",
        "--progress", "plain", "--progress-interval", "100ms");
    assertEquals(0, restore.code(), restore.toString());
    assertInOrder(restore, "restore", "pre-data", "copying", "large objects", "sequences", "building indexes",
        "refreshing materialized views", "ANALYZE");
    assertTrue(restore.out().lines().count() == 1 && restore.out().contains("row counts match"), restore.toString());
    // the unmeasured phases show how long they have run, never a percent or an ETA
    for (String line : progressLines(restore, "restore")) {
      if (line.startsWith("restore: building indexes") || line.startsWith("restore: ANALYZE")) {
        assertTrue(line.matches("restore: [A-Za-z ]+ · [0-9.]+ s · .*") && !line.contains("%")
            && !line.contains("ETA"), line);
      }
    }
  }

  @Test
  void progressNoneLeavesOnlyTheSummaryTtyRedrawsInPlaceAndAnUnknownModeIsAUsageError() throws Exception {
    String src = sampleDatabase();
    CairnCli.Run quiet = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--progress", "none");
    assertEquals(0, quiet.code(), quiet.toString());
    assertEquals(List.of(), progressLines(quiet, "backup"), quiet.toString());
    assertTrue(quiet.err().contains("backup " + quiet.lastLine() + ": 2 tables"), quiet.toString());

    CairnCli.Run tty = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--progress", "tty");
    assertEquals(0, tty.code(), tty.toString());
    assertEquals(tty.lastLine() + "\n", tty.out(), "stdout holds the id alone: " + tty);
    assertTrue(tty.err().contains("\rbackup: "), "the line is drawn in place: " + tty);
    assertEquals(List.of(), progressLines(tty, "backup"), "no progress line ends with a newline: " + tty);
    String afterLastRedraw = tty.err().substring(tty.err().lastIndexOf('\r') + 1);
    assertTrue(afterLastRedraw.startsWith("backup " + tty.lastLine() + ": 2 tables"),
        "the line is wiped before the summary: " + tty);

    CairnCli.Run bad = CairnCli.run("verify", quiet.lastLine(), "--repo", repo, "--progress", "loud");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().contains("--progress loud is not one of auto, tty, plain, none"), bad.toString());
  }

  private static final Pattern LINE = Pattern.compile("^(backup|restore|verify): ([A-Za-z -]+?)(?: \\d+%)? · .*$",
      Pattern.MULTILINE | Pattern.UNIX_LINES);

  private static List<String> progressLines(CairnCli.Run run, String what) {
    List<String> lines = new ArrayList<>();
    Matcher m = LINE.matcher(run.err());
    while (m.find()) {
      if (m.group(1).equals(what)) {
        lines.add(m.group());
      }
    }
    return lines;
  }

  /** Every phase has a line, and each first appears after the one before it. */
  private static void assertInOrder(CairnCli.Run run, String what, String... phases) {
    List<String> seen = new ArrayList<>();
    for (String line : progressLines(run, what)) {
      Matcher m = LINE.matcher(line);
      assertTrue(m.matches(), line);
      if (!seen.contains(m.group(2))) {
        seen.add(m.group(2));
      }
    }
    List<String> expected = List.of(phases);
    assertEquals(expected, seen.stream().filter(expected::contains).toList(), run.toString());
    assertFalse(run.err().contains("\r"), "plain mode never redraws");
  }
}
