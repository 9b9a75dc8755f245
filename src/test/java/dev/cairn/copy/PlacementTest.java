package dev.cairn.copy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.Manifest;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.testkit.TestArchives;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which repository a database's backups are written to and read from, and the one listing of them all. */
class PlacementTest {
  private static final String OLD = "app-20261201T020000Z";
  private static final String NEW = "app-20261202T020000Z";
  private static final String OTHER = "other-20261201T030000Z";

  @TempDir Path dir;
  private Placement placement;

  @BeforeEach
  void threeRepositories() {
    List<Repositories.Named> named = List.of(named("a"), named("b"), named("c"));
    // app's list starts with b; "other" is a database with no list of its own (all, in order)
    placement = new Placement(new Repositories(named), Map.of("app", List.of("b", "a")));
  }

  private Repositories.Named named(String name) {
    Path p = dir.resolve(name);
    return new Repositories.Named(name, "local", p.toString(), Repository.openForWrite(p));
  }

  /** A complete archive holding only a manifest, finished at {@code finished}. */
  private void archive(String repo, String id, String finished) {
    Instant f = Instant.parse(finished);
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, id, Repository.nameOf(id), "test", "16.4", 160004, "16.4",
        "UTF8", "00000003-00000002-1", f.minusSeconds(30), f.minusSeconds(60), f, new JsonObject(), List.of(),
        List.of(), List.of(), List.of());
    try (ArchiveWriter w = TestArchives.create(dir.resolve(repo).resolve(id + Repository.SUFFIX))) {
      w.finish(m.toBytes());
    }
  }

  @Test
  void aDatabaseIsWrittenToTheFirstRepositoryOfItsOwnList() {
    assertEquals("b", placement.receiving("app").name());
    assertEquals("a", placement.receiving("other").name(), "no list: the first configured");
    assertEquals(java.util.Set.of("b"), placement.receivers(), "the configured databases' first repositories");
  }

  @Test
  void aBackupIsReadFromTheFirstRepositoryOfItsListThatHoldsItThenFromAnyOther() {
    archive("a", OLD, "2026-12-01T02:01:00Z");
    assertEquals("a", placement.holder(OLD).name());
    archive("b", OLD, "2026-12-01T02:01:00Z");
    assertEquals("b", placement.holder(OLD).name(), "b comes first in app's list");
    archive("c", NEW, "2026-12-02T02:01:00Z");
    assertEquals("c", placement.holder(NEW).name(), "in none of its list: wherever it is (an import)");
  }

  @Test
  void aBackupInNoRepositoryIsNotFoundNamingWhereItWasLookedFor() {
    CairnException e = assertThrows(CairnException.class, () -> placement.holder(OLD));
    assertEquals(ErrorCode.BACKUP_NOT_FOUND, e.code());
    assertEquals("no backup " + OLD + " in repositories b, a, c", e.getMessage());
    CairnException malformed = assertThrows(CairnException.class, () -> placement.holder("app-nope"));
    assertEquals(ErrorCode.BACKUP_NOT_FOUND, malformed.code());
    assertTrue(malformed.getMessage().contains("is not a backup id"), malformed.getMessage());
  }

  @Test
  void everyBackupOfEveryRepositoryIsListedOnceNewestFirst() {
    archive("a", OLD, "2026-12-01T02:01:00Z");
    archive("b", OLD, "2026-12-01T02:01:00Z");
    archive("b", NEW, "2026-12-02T02:01:00Z");
    archive("c", OTHER, "2026-12-01T03:01:00Z");
    assertEquals(List.of(NEW, OTHER, OLD), placement.list().stream().map(Backups.Entry::id).toList());
  }

  @Test
  void latestIsTheNewestGoodBackupInAnyOfTheDatabasesRepositories() {
    archive("a", NEW, "2026-12-02T02:01:00Z");
    archive("b", OLD, "2026-12-01T02:01:00Z");
    assertEquals(NEW, placement.resolve("latest", "app", Instant.parse("2026-12-03T00:00:00Z")).id());
    assertEquals(OLD, placement.resolve(OLD, "app", Instant.parse("2026-12-03T00:00:00Z")).id());
  }

  @Test
  void aRepositoryThatCannotBeListedIsLeftOutOfTheListingButItsErrorIsGivenForABackupFoundNowhereElse()
      throws Exception {
    archive("b", NEW, "2026-12-02T02:01:00Z");
    Path c = dir.resolve("c");
    deleteTree(c);
    java.nio.file.Files.writeString(c, "not a directory"); // c can no longer be listed
    assertEquals(List.of(NEW), placement.list().stream().map(Backups.Entry::id).toList());
    assertEquals("b", placement.holder(NEW).name());
    CairnException e = assertThrows(CairnException.class, () -> placement.holder(OLD));
    assertEquals(ErrorCode.REPO_READ, e.code(), e.getMessage());
  }

  private static void deleteTree(Path p) throws java.io.IOException {
    try (var walk = java.nio.file.Files.walk(p)) {
      for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.delete(f);
      }
    }
  }
}
