package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.storage.LocalStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staged WAL of a recovery and its restore_command script, run by /bin/sh as PostgreSQL runs it, against a
 * real repository on disk; the fallback (wal-get in a restore) is a script that records what it was asked for.
 */
class WalStageTest {
  static final long SEG = 16L << 20;
  @TempDir Path tmp;
  PitrStore store;
  Path data;
  Path asked;
  String fallback;
  final List<byte[]> raws = new ArrayList<>();

  @BeforeEach
  void repository() throws IOException {
    store = new PitrStore(LocalStorage.openForWrite(tmp.resolve("repo")), "main");
    data = Files.createDirectories(tmp.resolve("data"));
    Files.createDirectories(data.resolve("pg_wal"));
    asked = tmp.resolve("asked");
    Path fb = tmp.resolve("fallback.sh");
    Files.writeString(fb, "#!/bin/sh\necho \"$1\" >> " + asked + "\nexit 1\n");
    Files.setPosixFilePermissions(fb, PosixFilePermissions.fromString("rwxr-xr-x"));
    fallback = fb.toString();
  }

  void publish(long segmentSize, int count) {
    store.putInfo(new ClusterInfo("main", "7300000000000000001", segmentSize, 150004));
    Random r = new Random(7);
    for (int i = 0; i < count; i++) {
      byte[] raw = new byte[4096];
      r.nextBytes(raw);
      raws.add(raw);
      assertTrue(store.publishWal(new Segment(1, 2 + i).name(segmentSize), raw));
    }
  }

  WalStage stage(long segmentSize) {
    BaseInfo base = new BaseInfo("b", 1, new Lsn(2 * segmentSize + 40), new Lsn(2 * segmentSize + 400),
        Instant.EPOCH, Instant.EPOCH, "", 1, 1, "x");
    Window w = Window.of(store, store.requireInfo());
    return WalStage.start(store, data, WalStage.plan(w, base), segmentSize, fallback,
        new OsUser(System.getProperty("user.name"), false));
  }

  /** Runs the script as PostgreSQL does (in the data directory, %f %p); its exit code. */
  int restoreCommand(String file) throws Exception {
    Process p = new ProcessBuilder("/bin/sh", data.resolve(WalStage.DIR).resolve(WalStage.SCRIPT).toString(), file,
        "pg_wal/RECOVERYXLOG").directory(data.toFile()).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the script answers");
    return p.exitValue();
  }

  List<String> asked() throws IOException {
    return Files.exists(asked) ? Files.readAllLines(asked, StandardCharsets.UTF_8) : List.of();
  }

  @Test
  void aStagedSegmentIsMovedIntoPlaceCheckedAndAskedAgainComesFromWalGet() throws Exception {
    publish(SEG, 3);
    String first = new Segment(1, 2).name(SEG);
    try (WalStage s = stage(SEG)) {
      assertEquals(0, restoreCommand(first));
      assertArrayEquals(raws.get(0), Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG")));
      assertEquals(List.of(), asked(), "served from the stage, no wal-get");
      assertEquals(0, restoreCommand(new Segment(1, 3).name(SEG)));
      assertArrayEquals(raws.get(1), Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG")));
      assertEquals(1, restoreCommand(first), "taken once: asked again, wal-get answers");
      String last = new Segment(1, 4).name(SEG);
      for (int i = 0; i < 2; i++) {
        assertEquals(0, restoreCommand(last), "the last one is read again at the end of the WAL");
        assertArrayEquals(raws.get(2), Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG")));
      }
      assertEquals(1, restoreCommand(new Segment(1, 9).name(SEG)), "past the plan: wal-get answers");
      assertEquals(List.of(first, new Segment(1, 9).name(SEG)), asked());
    }
    assertFalse(Files.exists(data.resolve(WalStage.DIR)), "closing removes the stage");
  }

  @Test
  void thePlanFollowsTheNewestTimelineToItsLastSegment() {
    byte[] history = "1\t0/5000060\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8);
    // timeline 1 went on past the switch (to 8); timeline 2 begins inside segment 5 and ends at 6
    List<String> files = new ArrayList<>();
    for (long n = 3; n <= 8; n++) {
      files.add(new Segment(1, n).name(SEG));
    }
    files.addAll(List.of("00000002.history", new Segment(2, 5).name(SEG), new Segment(2, 6).name(SEG)));
    Window w = Window.of(SEG, files, java.util.Map.of(2, history));
    BaseInfo base = new BaseInfo("b", 1, new Lsn(3 * SEG + 40), new Lsn(3 * SEG + 400), Instant.EPOCH, Instant.EPOCH,
        "", 1, 1, "x");
    WalStage.Plan p = WalStage.plan(w, base);
    assertEquals(List.of(new Segment(1, 3).name(SEG), new Segment(1, 4).name(SEG), new Segment(2, 5).name(SEG),
        new Segment(2, 6).name(SEG)), p.segments());
    assertEquals(new Segment(2, 7).name(SEG), p.end());
  }

  @Test
  void historyFilesAreCopiedEveryTimeAndAnAbsentOneGoesToWalGet() throws Exception {
    publish(SEG, 1);
    byte[] history = "1\t0/5000060\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8);
    store.publishWal("00000002.history", history);
    try (WalStage s = stage(SEG)) {
      for (int i = 0; i < 2; i++) {
        assertEquals(0, restoreCommand("00000002.history"));
        assertArrayEquals(history, Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG")));
      }
      assertEquals(1, restoreCommand("00000003.history"), "not in the repository when the restore began");
      assertEquals(List.of(), asked());
    }
  }

  @Test
  void theEndOfTheWalIsAnsweredByTheScriptButAHoleOnlyByWalGet() throws Exception {
    publish(SEG, 3); // 2, 3, 4
    try (WalStage s = stage(SEG)) {
      assertEquals(1, restoreCommand(new Segment(1, 5).name(SEG)), "the end");
      assertEquals(List.of(), asked());
    }
    assertTrue(store.deleteWal(new Segment(1, 3).name(SEG)));
    try (WalStage s = stage(SEG)) {
      assertEquals(0, restoreCommand(new Segment(1, 2).name(SEG)));
      assertEquals(1, restoreCommand(new Segment(1, 3).name(SEG)));
      assertEquals(1, restoreCommand(new Segment(1, 5).name(SEG)));
      assertEquals(List.of(new Segment(1, 3).name(SEG), new Segment(1, 5).name(SEG)), asked(),
          "after a hole, wal-get tells the hole (126) from the end");
    }
  }

  @Test
  void aDamagedSegmentIsNeverStagedAndWalGetAnswersForIt() throws Exception {
    publish(SEG, 3);
    String damaged = new Segment(1, 3).name(SEG);
    byte[] object = store.rawObject(damaged).orElseThrow();
    object[object.length - 9] ^= 0x55;
    store.putRawObject(damaged, object);
    try (WalStage s = stage(SEG)) {
      assertEquals(0, restoreCommand(new Segment(1, 2).name(SEG)));
      assertEquals(1, restoreCommand(damaged), "the fallback's answer, not a staged copy");
      assertEquals(List.of(damaged), asked());
      assertTrue(Files.exists(data.resolve(WalStage.DIR).resolve(damaged + WalStage.ASK)));
      assertEquals(0, restoreCommand(new Segment(1, 4).name(SEG)), "later ones are staged still");
    }
  }

  @Test
  void noMoreThanTheLookAheadIsStagedBeforeTheServerTakesOne() throws Exception {
    long big = 512L << 20; // 1 GiB ahead: two segments
    publish(big, 5);
    Path dir = data.resolve(WalStage.DIR);
    try (WalStage s = stage(big)) {
      List<Integer> seen = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        String name = new Segment(1, 2 + i).name(big);
        waitUntil(() -> Files.exists(dir.resolve(name)), "segment " + i + " is staged");
        seen.add(staged(dir, big));
        assertEquals(0, restoreCommand(name));
        assertArrayEquals(raws.get(i), Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG")));
      }
      assertTrue(seen.stream().allMatch(n -> n <= 2), "staged at once: " + seen);
      assertEquals(List.of(), asked());
    }
  }

  @Test
  void segmentsTheReplayWentPastAreDroppedSoTheStageNeverFillsUpWithThem() throws Exception {
    long big = 512L << 20; // room for two: segments 2 and 3 fill it
    publish(big, 5);
    try (WalStage s = stage(big)) {
      assertEquals(0, restoreCommand(new Segment(1, 4).name(big)), "served once 2 and 3 made room");
      assertArrayEquals(raws.get(2), Files.readAllBytes(data.resolve("pg_wal/RECOVERYXLOG")));
      assertEquals(List.of(), asked());
      assertEquals(1, restoreCommand(new Segment(1, 2).name(big)), "a dropped one comes from wal-get");
      assertEquals(List.of(new Segment(1, 2).name(big)), asked());
      assertEquals(0, restoreCommand(new Segment(1, 5).name(big)));
    }
  }

  static int staged(Path dir, long segmentSize) throws IOException {
    try (var s = Files.list(dir)) {
      return (int) s.filter(p -> Segment.parse(p.getFileName().toString(), segmentSize).isPresent()).count();
    }
  }

  static void waitUntil(BooleanSupplier cond, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out waiting until " + what);
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
