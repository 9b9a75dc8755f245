package dev.cairn.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gaps, timelines and retention from listings alone (16 MiB segments). */
class WindowTest {
  static final long SEG = 16L << 20;

  static String seg(int tli, long n) {
    return new Segment(tli, n).name(SEG);
  }

  static BaseInfo base(String id, long startSeg, long stopSeg, int minute) {
    return new BaseInfo(id, 1, new Lsn(startSeg * SEG + 40), new Lsn(stopSeg * SEG + 256),
        Instant.parse("2026-12-01T10:00:00Z").plusSeconds(60L * minute), Instant.parse("2026-12-01T10:00:30Z")
        .plusSeconds(60L * minute), "", 1, 1, "x");
  }

  @Test
  void segmentNamesFollowPostgresql() {
    assertEquals("000000010000000100000000", new Segment(1, 256).name(SEG));
    assertEquals(new Segment(2, 257), Segment.parse("000000020000000100000001", SEG).orElseThrow());
    assertEquals("16/B374D848", Lsn.parse("16/B374D848").toString());
  }

  @Test
  void aMissingSegmentInsideATimelineIsAGapByName() {
    Window w = Window.of(SEG, List.of(seg(1, 2), seg(1, 3), seg(1, 5), seg(1, 6)), Map.of());
    assertEquals(List.of(seg(1, 4)), w.gaps);
    assertEquals(seg(1, 3), w.reach(2).orElseThrow().name(SEG));
    assertFalse(w.usable(base("b", 3, 4, 0)), "its WAL (3..4) is not all there");
    assertTrue(w.usable(base("b", 5, 6, 0)));
  }

  @Test
  void segmentsFromTheSwitchPointOnAreReadFromTheNewTimeline() {
    byte[] history = "1\t0/5000060\tno recovery target specified\n".getBytes(StandardCharsets.UTF_8);
    // timeline 1 went on past the switch (4, 5, 6); timeline 2 begins inside segment 5
    Window w = Window.of(SEG, List.of(seg(1, 3), seg(1, 4), seg(1, 5), seg(1, 6), "00000002.history", seg(2, 5),
        seg(2, 6), seg(2, 7)), Map.of(2, history));
    assertEquals(List.of(1, 2), w.timelines());
    assertEquals(seg(1, 4), w.along(4).name(SEG));
    assertEquals(seg(2, 5), w.along(5).name(SEG));
    assertEquals(seg(2, 7), w.reach(3).orElseThrow().name(SEG));
  }

  @Test
  void retentionKeepsTheWalOfTheOldestKeptBaseBackupAndNeverCountsAnIncompleteOne() {
    List<String> files = new ArrayList<>();
    for (long n = 2; n <= 12; n++) {
      files.add(seg(1, n));
    }
    Window w = Window.of(SEG, files, Map.of());
    List<BaseInfo> bases = List.of(base("a", 2, 3, 0), base("b", 6, 7, 10), base("c", 10, 11, 20),
        base("d", 13, 14, 30)); // d's WAL is not there yet: it does not count as kept
    PitrRetention.Decision d = PitrRetention.decide(bases, w, files, 2);
    assertEquals(List.of("a"), d.deleteBases());
    assertEquals(List.of(seg(1, 2), seg(1, 3), seg(1, 4), seg(1, 5)), d.deleteWal());
  }
}
