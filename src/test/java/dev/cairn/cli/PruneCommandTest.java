package dev.cairn.cli;

import dev.cairn.testkit.TestArchives;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** prune against a repository of real (small) archives with chosen finish times, and damaged ones. */
class PruneCommandTest {
  private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

  @TempDir Path repo;

  record Run(int code, String out, String err) {
    /** Stdout lines split into their columns: decision, id, recorded, reasons. */
    List<List<String>> rows() {
      return out.lines().map(l -> Arrays.asList(l.split(" {2,}"))).toList();
    }

    @Override
    public String toString() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs prune as Main does (same error handling), at a fixed time. */
  private Run prune(String... args) {
    List<String> all = new ArrayList<>(List.of("--repo", repo.toString()));
    all.addAll(List.of(args));
    PruneCommand command = new PruneCommand();
    command.clock = Clock.fixed(NOW, ZoneOffset.UTC);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintWriter errWriter = new PrintWriter(err, true);
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(errWriter);
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      CairnException ce = ex instanceof CairnException x ? x : CairnException.wrap(ex, ErrorCode.INTERNAL, "unexpected");
      errWriter.println("cairn: " + ce.describe());
      return ce.code().exitCode();
    });
    int code = cl.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  /** A complete archive holding only a manifest, as a backup of an empty database would be. */
  private void archive(String id, String database, String finished) {
    Instant f = Instant.parse(finished);
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, id, database, "test", "16.4", 160004, "16.4", "UTF8",
        "00000003-00000002-1", f.minusSeconds(30), f.minusSeconds(60), f, new JsonObject(), List.of(), List.of(),
        List.of(), List.of());
    try (ArchiveWriter w = TestArchives.create(repo.resolve(id + ".cairn"))) {
      w.finish(m.toBytes());
    }
  }

  /** Not an archive at all: listed as damaged. */
  private void damaged(String id, String modified) throws IOException {
    Path p = repo.resolve(id + ".cairn");
    Files.write(p, "truncated".getBytes(StandardCharsets.UTF_8));
    Files.setLastModifiedTime(p, FileTime.from(Instant.parse(modified)));
  }

  private Set<String> files() throws IOException {
    try (Stream<Path> s = Files.list(repo)) {
      return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @BeforeEach
  void twoDatabases() throws IOException {
    // the id's time says 2020, the manifest says it finished last: order comes from the manifest
    archive("app-20200101T000000Z", "app", "2026-11-21T03:00:00Z");
    archive("app-20261121T020000Z", "app", "2026-11-21T02:10:00Z");
    archive("app-20261120T020000Z", "app", "2026-11-20T02:10:00Z");
    damaged("app-20261119T020000Z", "2026-11-19T02:10:00Z");
    archive("app-20261118T020000Z", "app", "2026-11-18T02:10:00Z");
    archive("app-20261101T020000Z", "app", "2026-11-01T02:10:00Z");
    damaged("app-20261121T050000Z", "2026-11-21T05:10:00Z");
    archive("shop-20261115T020000Z", "shop", "2026-11-15T02:10:00Z");
    archive("shop-20261001T020000Z", "shop", "2026-10-01T02:10:00Z");
  }

  private static final List<List<String>> DAILY_2 = List.of(
      List.of("KEEP", "app-20261121T050000Z", "2026-11-21T05:10:00Z", "not a good backup, kept: no newer good backup"),
      List.of("KEEP", "app-20200101T000000Z", "2026-11-21T03:00:00Z", "newest good backup; newest of day 2026-11-21"),
      List.of("DELETE", "app-20261121T020000Z", "2026-11-21T02:10:00Z", "no rule keeps it"),
      List.of("KEEP", "app-20261120T020000Z", "2026-11-20T02:10:00Z", "newest of day 2026-11-20"),
      List.of("DELETE", "app-20261119T020000Z", "2026-11-19T02:10:00Z", "not a good backup"),
      List.of("DELETE", "app-20261118T020000Z", "2026-11-18T02:10:00Z", "no rule keeps it"),
      List.of("DELETE", "app-20261101T020000Z", "2026-11-01T02:10:00Z", "no rule keeps it"),
      List.of("KEEP", "shop-20261115T020000Z", "2026-11-15T02:10:00Z", "newest good backup; newest of day 2026-11-15"),
      List.of("KEEP", "shop-20261001T020000Z", "2026-10-01T02:10:00Z", "newest of day 2026-10-01"));

  @Test
  void dryRunPrintsEveryDecisionPerDatabaseAndDeletesNothing() throws IOException {
    Set<String> before = files();
    Run r = prune("--keep-daily", "2", "--timezone", "UTC", "--dry-run");
    assertEquals(0, r.code(), r::toString);
    assertEquals(DAILY_2, r.rows(), r::toString);
    assertTrue(r.err().contains("dry run: 4 of 9 backups would be deleted"), r::toString);
    assertEquals(before, files());
  }

  @Test
  void deletesTheBackupsNoRuleKeepsAndOnlyThose() throws IOException {
    Run r = prune("--keep-daily", "2", "--timezone", "UTC");
    assertEquals(0, r.code(), r::toString);
    assertEquals(DAILY_2, r.rows(), r::toString);
    assertEquals(new TreeSet<>(List.of("app-20200101T000000Z.cairn", "app-20261120T020000Z.cairn",
        "app-20261121T050000Z.cairn", "shop-20261001T020000Z.cairn", "shop-20261115T020000Z.cairn")), files());
    // a second run finds nothing more to delete
    Run again = prune("--keep-daily", "2", "--timezone", "UTC");
    assertEquals(0, again.code(), again::toString);
    assertTrue(again.rows().stream().allMatch(row -> row.get(0).equals("KEEP")), again::toString);
  }

  @Test
  void theTimeZoneDecidesWhichDayABackupBelongsTo() {
    // in Kolkata (UTC+05:30) 2026-11-20T02:10Z is 07:40 on the 20th, and 2026-11-21T02:10Z is 07:40 on the 21st:
    // same as UTC; in Los Angeles 02:10Z and 03:00Z on the 21st are the evening of the 20th
    Run r = prune("--keep-daily", "2", "--timezone", "America/Los_Angeles", "--database", "app", "--dry-run");
    assertEquals(0, r.code(), r::toString);
    assertEquals(List.of(
        List.of("KEEP", "app-20261121T050000Z", "2026-11-21T05:10:00Z", "not a good backup, kept: no newer good backup"),
        List.of("KEEP", "app-20200101T000000Z", "2026-11-21T03:00:00Z", "newest good backup; newest of day 2026-11-20"),
        List.of("DELETE", "app-20261121T020000Z", "2026-11-21T02:10:00Z", "no rule keeps it"),
        List.of("KEEP", "app-20261120T020000Z", "2026-11-20T02:10:00Z", "newest of day 2026-11-19"),
        List.of("DELETE", "app-20261119T020000Z", "2026-11-19T02:10:00Z", "not a good backup"),
        List.of("DELETE", "app-20261118T020000Z", "2026-11-18T02:10:00Z", "no rule keeps it"),
        List.of("DELETE", "app-20261101T020000Z", "2026-11-01T02:10:00Z", "no rule keeps it")), r.rows(), r::toString);
  }

  @Test
  void databaseLimitsThePruneToThatDatabase() throws IOException {
    Run r = prune("--keep-last", "1", "--database", "shop", "--timezone", "UTC");
    assertEquals(0, r.code(), r::toString);
    assertEquals(List.of(
        List.of("KEEP", "shop-20261115T020000Z", "2026-11-15T02:10:00Z", "newest good backup; one of the last 1"),
        List.of("DELETE", "shop-20261001T020000Z", "2026-10-01T02:10:00Z", "no rule keeps it")), r.rows(), r::toString);
    assertTrue(files().contains("app-20261101T020000Z.cairn"));
    assertTrue(!files().contains("shop-20261001T020000Z.cairn"));
  }

  @Test
  void jsonListsDecisionsWithReasonsAndWhatWasDeleted() {
    Run r = prune("--keep-last", "2", "--keep-days", "1", "--timezone", "Europe/Berlin", "--json", "--database", "app");
    assertEquals(0, r.code(), r::toString);
    JsonObject j = new JsonObject(r.out());
    assertEquals("Europe/Berlin", j.getString("timezone"));
    assertEquals(NOW.toString(), j.getString("now"));
    assertEquals(2, j.getJsonObject("policy").getInteger("keepLast"));
    assertEquals(1, j.getJsonObject("policy").getInteger("keepDays"));
    JsonArray a = j.getJsonArray("backups");
    assertEquals(7, a.size());
    JsonObject newest = a.getJsonObject(1);
    assertEquals("app-20200101T000000Z", newest.getString("id"));
    assertEquals("keep", newest.getString("decision"));
    assertEquals(new JsonArray(List.of("newest good backup", "one of the last 2", "within 1 day")),
        newest.getJsonArray("reasons"));
    assertEquals(false, newest.getBoolean("deleted"));
    JsonObject broken = a.getJsonObject(4);
    assertEquals("app-20261119T020000Z", broken.getString("id"));
    assertEquals(false, broken.getBoolean("good"));
    assertEquals("delete", broken.getString("decision"));
    assertEquals(true, broken.getBoolean("deleted"));
    assertTrue(broken.containsKey("damage"), broken::encode);
    assertEquals("app-20261121T020000Z", a.getJsonObject(2).getString("id"));
    assertEquals(List.of("one of the last 2", "within 1 day"), a.getJsonObject(2).getJsonArray("reasons").getList());
    // 34 hours before now: outside one day
    assertEquals("app-20261120T020000Z", a.getJsonObject(3).getString("id"));
    assertEquals(List.of("no rule keeps it"), a.getJsonObject(3).getJsonArray("reasons").getList());
    assertEquals(true, a.getJsonObject(3).getBoolean("deleted"));
  }

  @Test
  void withoutAnyKeepRuleItRefusesAndDeletesNothing() throws IOException {
    Set<String> before = files();
    Run r = prune("--timezone", "UTC");
    assertEquals(2, r.code(), r::toString);
    assertTrue(r.err().contains("USAGE: prune needs at least one keep rule"), r::toString);
    assertTrue(r.err().contains("hint: add e.g. --keep-daily 7"), r::toString);
    Run zeros = prune("--keep-last", "0", "--keep-monthly", "0");
    assertEquals(2, zeros.code(), zeros::toString);
    assertTrue(zeros.err().contains("would keep everything"), zeros::toString);
    assertEquals(before, files());
  }

  @Test
  void badValuesAreUsageErrors() {
    Run negative = prune("--keep-last", "-1");
    assertEquals(2, negative.code(), negative::toString);
    assertTrue(negative.err().contains("--keep-last is -1"), negative::toString);
    Run zone = prune("--keep-last", "1", "--timezone", "Mars/Olympus");
    assertEquals(2, zone.code(), zone::toString);
    assertTrue(zone.err().contains("unknown time zone \"Mars/Olympus\""), zone::toString);
  }

  @Test
  void anUnknownDatabaseIsNotFound() {
    Run r = prune("--keep-last", "1", "--database", "nope");
    assertEquals(6, r.code(), r::toString);
    assertTrue(r.err().contains("no backup of database nope"), r::toString);
  }

  @Test
  void aDamagedArchiveWithoutGoodBackupsOfItsNameIsKept() throws IOException {
    damaged("lost-20200101T000000Z", "2020-01-01T00:10:00Z");
    Run r = prune("--keep-last", "1", "--timezone", "UTC", "--dry-run");
    assertEquals(0, r.code(), r::toString);
    assertTrue(r.rows().contains(List.of("KEEP", "lost-20200101T000000Z", "2020-01-01T00:10:00Z",
        "not a good backup, kept: no newer good backup")), r::toString);
  }

  @Test
  void aDamagedArchiveIsPlacedAtTheLaterOfItsIdTimeAndItsFileTime() throws IOException {
    // copied without its modification time: the id still says it was taken after the newest good backup
    damaged("app-20261121T110000Z", "2026-01-01T00:00:00Z");
    Run r = prune("--keep-last", "1", "--database", "app", "--timezone", "UTC", "--dry-run");
    assertEquals(0, r.code(), r::toString);
    assertEquals(List.of("KEEP", "app-20261121T110000Z", "2026-11-21T11:00:00Z",
        "not a good backup, kept: no newer good backup"), r.rows().get(0), r::toString);
  }

  @Test
  void backupsOfOneDatabaseUnderAnotherNameAreASeriesOfTheirOwn() throws IOException {
    // e.g. taken with --name prod: pruning the app-* series never thins out the prod-* one
    archive("prod-20261110T020000Z", "app", "2026-11-10T02:10:00Z");
    archive("prod-20261109T020000Z", "app", "2026-11-09T02:10:00Z");
    damaged("prod-20261108T020000Z", "2026-11-08T02:10:00Z");
    Run r = prune("--keep-last", "1", "--database", "app", "--timezone", "UTC");
    assertEquals(0, r.code(), r::toString);
    assertEquals(Set.of("app-20200101T000000Z.cairn", "app-20261121T050000Z.cairn", "prod-20261110T020000Z.cairn",
        "shop-20261001T020000Z.cairn", "shop-20261115T020000Z.cairn"), files());
  }
}
