package dev.cairn.pitr;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Follows a tar stream as it passes, keeping the contents of two small members pg_basebackup puts in it:
 * backup_label (first) and backup_manifest (last; its WAL-Ranges give the WAL range the backup needs).
 */
final class TarPeek {
  static final int MAX_KEPT = 256 << 20;

  private final byte[] header = new byte[512];
  private int headerFill;
  private long remaining; // of the current member's data and padding
  private long dataLeft;
  private ByteArrayOutputStream keep;
  private String keeping;
  private String label = "";
  private String manifest;
  private boolean ended;

  void accept(byte[] buf, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end && !ended) {
      if (remaining > 0) {
        int n = (int) Math.min(remaining, end - i);
        if (keep != null && dataLeft > 0) {
          int k = (int) Math.min(n, dataLeft);
          keep.write(buf, i, k);
        }
        dataLeft = Math.max(0, dataLeft - n);
        remaining -= n;
        i += n;
        if (remaining == 0) {
          finishMember();
        }
        continue;
      }
      int n = Math.min(512 - headerFill, end - i);
      System.arraycopy(buf, i, header, headerFill, n);
      headerFill += n;
      i += n;
      if (headerFill == 512) {
        headerFill = 0;
        startMember();
      }
    }
  }

  private void startMember() {
    if (header[0] == 0) {
      ended = true; // the two zero blocks that end a tar
      return;
    }
    String name = field(0, 100);
    String size = field(124, 12).trim();
    long s = size.isEmpty() ? 0 : Long.parseLong(size, 8);
    dataLeft = s;
    remaining = (s + 511) / 512 * 512;
    String base = name.startsWith("./") ? name.substring(2) : name;
    keeping = (base.equals("backup_label") || base.equals("backup_manifest")) && s <= MAX_KEPT ? base : null;
    keep = keeping == null ? null : new ByteArrayOutputStream((int) s);
    if (remaining == 0) {
      finishMember();
    }
  }

  private void finishMember() {
    if (keeping != null) {
      String text = keep.toString(StandardCharsets.UTF_8);
      if (keeping.equals("backup_label")) {
        label = text;
      } else {
        manifest = text;
      }
    }
    keep = null;
    keeping = null;
  }

  private String field(int at, int len) {
    int e = at;
    while (e < at + len && header[e] != 0) {
      e++;
    }
    return new String(header, at, e - at, StandardCharsets.US_ASCII);
  }

  String label() {
    return label;
  }

  /** The manifest's text, or null when the stream had none. */
  String manifest() {
    return manifest;
  }
}
