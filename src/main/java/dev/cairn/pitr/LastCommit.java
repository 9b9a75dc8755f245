package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.storage.Scratch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The commit time of the last transaction in a stretch of WAL, read with {@code pg_waldump} (of the cluster's
 * own major version) from the segments, newest first: that is the latest moment a restore can reach.
 */
final class LastCommit {
  /** How many segments back to look for a commit before giving up (an idle server's WAL has few). */
  static final int MAX_SEGMENTS = 8;
  private static final Pattern COMMIT = Pattern.compile("desc: COMMIT(?:_PREPARED)? (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?) UTC");
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSS][.SSSSS][.SSSS][.SSS][.SS][.S]");

  private LastCommit() {}

  static Optional<Instant> find(PitrStore store, ClusterInfo info, Window w, Segment last, long notBefore, Path pgBin) {
    Path waldump = ServerBin.find("pg_waldump", info.serverVersionNum() / 10000, pgBin);
    try (Scratch scratch = Scratch.create("cairn-waldump-")) {
      for (long n = last.number(); n >= Math.max(notBefore, last.number() - MAX_SEGMENTS + 1); n--) {
        Segment s = w.along(n);
        String name = s.name(info.segmentSize());
        byte[] raw = store.readWal(name).orElse(null);
        if (raw == null) {
          return Optional.empty();
        }
        scratch.write(name, raw);
        ChildProcess.Result r = new ChildProcess().runKeepingAll(List.of(waldump.toString(), "-p",
            scratch.file("").toString(), "-r", "Transaction", name, name), Map.of("TZ", "UTC"));
        Instant found = null;
        for (String line : r.output()) {
          Matcher m = COMMIT.matcher(line);
          if (m.find()) {
            found = LocalDateTime.parse(m.group(1), TS).toInstant(ZoneOffset.UTC);
          }
        }
        if (found != null) {
          return Optional.of(found);
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new CairnException(ErrorCode.INTERNAL, "cannot read WAL of cluster " + store.cluster() + " with pg_waldump: "
          + e.getMessage(), null, null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CairnException(ErrorCode.CANCELLED, "interrupted reading the WAL of cluster " + store.cluster());
    }
  }
}
