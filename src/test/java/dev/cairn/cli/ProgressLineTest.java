package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.jobs.Phase;
import dev.cairn.jobs.Progress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
  @Test
  void aMeasuredPhaseShowsPercentBytesRowsTablesAndEta() {
    Progress p = new Progress(1288490189L, 1234567, 3, 10, 450, 1000, Phase.COPYING);
    assertEquals("copying 45% · 1.2 GiB · 1,234,567 rows · tables 3/10 · ETA 1 m 20 s",
        ProgressLine.format(p, Duration.ofSeconds(65), Duration.ofSeconds(80)));
  }

  @Test
  void anUnmeasuredPhaseShowsItsElapsedTimeAndNeitherPercentNorEta() {
    Progress p = new Progress(5L << 20, 1000, 10, 10, 1000, 1000, Phase.BUILDING_INDEXES);
    assertEquals("building indexes · 1 m 20 s · 5.0 MiB · 1,000 rows · tables 10/10",
        ProgressLine.format(p, Duration.ofSeconds(80), null));
  }

  @Test
  void unknownTotalsAreLeftOutNotShownAsZero() {
    assertEquals("connecting · 0.3 s",
        ProgressLine.format(new Progress(0, 0, 0, 0, 0, 0, Phase.CONNECTING), Duration.ofMillis(300), null));
    assertEquals("copying 0% · 4.2 s · 0 B · 0 rows · tables 0/3",
        ProgressLine.format(new Progress(0, 0, 0, 3, 0, 500, Phase.COPYING), Duration.ofMillis(4200), null),
        "no ETA before any work is done: the elapsed time instead");
    assertEquals("copying · 12 s · 100 B · 1 row",
        ProgressLine.format(new Progress(100, 1, 0, 0, 0, 0, Phase.COPYING), Duration.ofSeconds(12), null));
  }

  @Test
  void aRunningPhaseNeverSaysHundredPercent() {
    assertEquals("reading 99% · 1.0 KiB · 5 rows · tables 1/2 · ETA 0.1 s", ProgressLine.format(
        new Progress(1024, 5, 1, 2, 1000, 1000, Phase.READING), Duration.ofSeconds(3), Duration.ofMillis(100)));
  }

  @Test
  void durationsReadLikeAClock() {
    assertEquals("0.0 s", ProgressLine.duration(Duration.ZERO));
    assertEquals("9.9 s", ProgressLine.duration(Duration.ofMillis(9900)));
    assertEquals("42 s", ProgressLine.duration(Duration.ofSeconds(42)));
    assertEquals("59 m 59 s", ProgressLine.duration(Duration.ofSeconds(3599)));
    assertEquals("2 h 05 m", ProgressLine.duration(Duration.ofMinutes(125)));
  }
}
