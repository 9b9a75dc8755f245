package dev.cairn.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RowDigestProperties {

  private static byte[] join(List<String> rows) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String r : rows) {
      out.writeBytes(r.getBytes(StandardCharsets.UTF_8));
      out.write('\n');
    }
    return out.toByteArray();
  }

  private static List<String> noNewlines(List<String> rows) {
    List<String> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.replace('\n', ' ')));
    return out;
  }

  @Property
  void digestDoesNotDependOnRowOrder(@ForAll @Size(max = 40) List<String> raw, @ForAll long seed) {
    List<String> rows = noNewlines(raw);
    List<String> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(seed));
    RowDigest a = new RowDigest();
    byte[] ba = join(rows);
    a.update(ba, 0, ba.length);
    RowDigest b = new RowDigest();
    byte[] bb = join(shuffled);
    b.update(bb, 0, bb.length);
    assertEquals(a.digest(), b.digest());
    assertEquals(rows.size(), a.rows());
  }

  @Property
  void digestDoesNotDependOnHowTheStreamIsCut(@ForAll @Size(max = 40) List<String> raw,
      @ForAll @IntRange(min = 1, max = 17) int piece) {
    byte[] all = join(noNewlines(raw));
    RowDigest whole = new RowDigest();
    whole.update(all, 0, all.length);
    RowDigest cut = new RowDigest();
    for (int off = 0; off < all.length; off += piece) {
      cut.update(all, off, Math.min(piece, all.length - off));
    }
    assertEquals(whole.digest(), cut.digest());
    assertEquals(whole.rows(), cut.rows());
    assertTrue(cut.complete());
  }

  @Property
  void rowsGivenOneByOneDigestAsTheirStream(@ForAll @Size(max = 40) List<String> raw) {
    List<String> rows = noNewlines(raw);
    byte[] all = join(rows);
    RowDigest stream = new RowDigest();
    stream.update(all, 0, all.length);
    RowDigest byRow = new RowDigest();
    for (String r : rows) {
      byte[] line = (r + "\n").getBytes(StandardCharsets.UTF_8);
      byRow.row(line, 0, line.length);
    }
    assertEquals(stream.digest(), byRow.digest());
    assertEquals(stream.rows(), byRow.rows());
    assertTrue(byRow.complete());
  }

  @Test
  void aRowWithoutItsNewlineLeavesTheDigestIncomplete() {
    RowDigest d = new RowDigest();
    byte[] ok = "1\ta\n".getBytes(StandardCharsets.UTF_8);
    byte[] cut = "2\tb".getBytes(StandardCharsets.UTF_8);
    d.row(ok, 0, ok.length);
    assertTrue(d.complete());
    d.row(cut, 0, cut.length);
    assertFalse(d.complete());
    assertEquals(1, d.rows());
  }

  @Property
  void partsAddUpToTheTable(@ForAll @Size(max = 30) List<String> first, @ForAll @Size(max = 30) List<String> second) {
    byte[] a = join(noNewlines(first));
    byte[] b = join(noNewlines(second));
    RowDigest da = new RowDigest();
    da.update(a, 0, a.length);
    RowDigest db = new RowDigest();
    db.update(b, 0, b.length);
    RowDigest all = new RowDigest();
    all.update(a, 0, a.length);
    all.update(b, 0, b.length);
    assertEquals(all.digest(), RowDigest.combine(da.digest(), db.digest()));
  }

  @Test
  void aChangedRowChangesTheDigest() {
    byte[] a = join(List.of("1\tAlice", "2\tBob"));
    byte[] b = join(List.of("1\tAlice", "2\tBoB"));
    RowDigest da = new RowDigest();
    da.update(a, 0, a.length);
    RowDigest db = new RowDigest();
    db.update(b, 0, b.length);
    assertNotEquals(da.digest(), db.digest());
  }

  @Test
  void aStreamCutInsideARowIsIncomplete() {
    byte[] a = "1\tAlice\n2\tBo".getBytes(StandardCharsets.UTF_8);
    RowDigest d = new RowDigest();
    d.update(a, 0, a.length);
    assertFalse(d.complete());
    assertEquals(1, d.rows());
  }

  @Test
  void emptyRowsOfAZeroColumnTableAreCounted() {
    byte[] a = "\n\n\n".getBytes(StandardCharsets.UTF_8);
    RowDigest d = new RowDigest();
    d.update(a, 0, a.length);
    assertEquals(3, d.rows());
  }

  @Property
  void wordAtATimeNewlineSearchAgreesWithAPlainScan(@ForAll("newlineHeavy") byte[] data,
      @ForAll @IntRange(min = 0, max = 64) int from) {
    int start = Math.min(from, data.length);
    int expected = -1;
    for (int i = start; i < data.length; i++) {
      if (data[i] == '\n') {
        expected = i;
        break;
      }
    }
    assertEquals(expected, RowDigest.nextNewline(data, start, data.length));
  }

  /** Newlines among bytes that flip the word trick's flags falsely (0x8a, 0x0b, 0x09, 0x00). */
  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<byte[]> newlineHeavy() {
    return net.jqwik.api.Arbitraries.of((byte) '\n', (byte) 'a', (byte) 0x8a, (byte) 0x0b, (byte) 0x09, (byte) 0,
        (byte) 0xff).array(byte[].class).ofMaxSize(80);
  }
}
