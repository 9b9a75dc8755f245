package dev.cairn.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class Lz4FrameProperties {
  private static final String CTX = "frame";

  @Property
  void anyBytesRoundTrip(@ForAll @Size(max = 20_000) byte[] raw) {
    assertArrayEquals(raw, Lz4Frame.decode(Lz4Frame.encode(raw), raw.length, CTX));
  }

  @Property
  void repetitiveBytesRoundTripAndShrink(@ForAll("repetitive") byte[] raw) {
    byte[] frame = Lz4Frame.encode(raw);
    assertArrayEquals(raw, Lz4Frame.decode(frame, raw.length, CTX));
    if (raw.length > 1000) {
      assertTrue(frame.length < raw.length, frame.length + " >= " + raw.length);
    }
  }

  @Property
  void frameNeverExceedsItsDeclaredBound(@ForAll @Size(max = 20_000) byte[] raw) {
    assertTrue(Lz4Frame.encode(raw).length <= Lz4Frame.maxEncodedLength(raw.length));
  }

  @Property
  void truncatedFrameIsAlwaysRejectedWithArchiveCorrupt(@ForAll("repetitive") byte[] raw,
      @ForAll @IntRange(min = 0, max = 100_000) int cut) {
    byte[] frame = Lz4Frame.encode(raw);
    byte[] truncated = Arrays.copyOf(frame, cut % frame.length);
    try {
      Lz4Frame.decode(truncated, raw.length, CTX);
      throw new AssertionError("truncated frame decoded");
    } catch (CairnException e) {
      assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    }
  }

  /**
   * The frame itself has no checksum (the chunk's CRC32C covers integrity), so a damaged literal may
   * decode to other bytes; what matters is that damage never escapes as anything but
   * ARCHIVE_CORRUPT and never produces output of another length.
   */
  @Property(tries = 2000)
  void damagedFrameFailsOnlyWithArchiveCorrupt(@ForAll("repetitive") byte[] raw,
      @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] frame = Lz4Frame.encode(raw);
    frame[position % frame.length] ^= (byte) xor;
    try {
      assertEquals(raw.length, Lz4Frame.decode(frame, raw.length, CTX).length);
    } catch (CairnException e) {
      assertEquals(ErrorCode.ARCHIVE_CORRUPT, e.code());
    }
  }

  @Provide
  Arbitrary<byte[]> repetitive() {
    Arbitrary<byte[]> pieces = Arbitraries.bytes().between((byte) 'a', (byte) 'f').array(byte[].class).ofMinSize(1)
        .ofMaxSize(30);
    return pieces.flatMap(p -> Arbitraries.integers().between(1, 3000).map(times -> {
      byte[] out = new byte[p.length * times];
      for (int i = 0; i < times; i++) {
        System.arraycopy(p, 0, out, i * p.length, p.length);
      }
      return out;
    }));
  }
}
