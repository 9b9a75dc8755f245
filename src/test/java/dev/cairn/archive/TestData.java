package dev.cairn.archive;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Chunk contents for tests: COPY-like text (compresses about 3:1) and random bytes (does not). */
final class TestData {
  private static final String[] NAMES = {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"};
  private static final String[] CITIES = {"Lyon", "Porto", "Oslo", "Kraków", "Ghent", "Basel", "Turku"};

  private TestData() {}

  /** Tab-separated rows like PostgreSQL's COPY text output, exactly {@code size} bytes. */
  static byte[] copyText(int size, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(size + 200);
    long id = 1000 + r.nextInt(1000);
    while (sb.length() < size) {
      String name = NAMES[r.nextInt(NAMES.length)];
      sb.append(id++).append('\t').append(name).append('.').append(r.nextInt(10000)).append("@example.org\t")
          .append(CITIES[r.nextInt(CITIES.length)]).append('\t')
          .append(String.format("2024-%02d-%02d %02d:%02d:%02d+00", 1 + r.nextInt(12), 1 + r.nextInt(28),
              r.nextInt(24), r.nextInt(60), r.nextInt(60)))
          .append('\t').append(r.nextInt(100000)).append('.').append(r.nextInt(100)).append('\t')
          .append(r.nextBoolean() ? "t" : "f").append('\t').append(r.nextInt(5) == 0 ? "\\N" : "note " + r.nextInt(50))
          .append('\n');
    }
    byte[] all = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[size];
    System.arraycopy(all, 0, out, 0, size);
    return out;
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
