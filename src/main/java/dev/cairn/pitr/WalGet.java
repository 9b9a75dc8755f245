package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * PostgreSQL's restore_command: hands one WAL file from the repository to the server after checking its
 * checksum. A file past the end of the WAL is simply not there (the end of recovery); a segment missing while
 * later ones of its timeline exist (a gap) or a damaged one is an error PostgreSQL must not take for the end.
 */
public final class WalGet {
  /** The answers, as exit codes: PostgreSQL aborts recovery on a code above 125 instead of ending it. */
  public enum Answer { DELIVERED, ABSENT, FATAL }

  private WalGet() {}

  public static Answer fetch(PitrStore store, String file, Path dest, StringBuilder why) {
    Optional<byte[]> raw;
    try {
      raw = store.readWal(file);
    } catch (CairnException e) {
      why.append(e.getMessage());
      return Answer.FATAL;
    }
    if (raw.isEmpty()) {
      ClusterInfo info = store.requireInfo();
      Optional<Segment> s = Segment.parse(file, info.segmentSize());
      if (s.isPresent() && store.walFiles().stream().map(f -> Segment.parse(f, info.segmentSize()))
          .flatMap(Optional::stream).anyMatch(o -> o.timeline() == s.get().timeline() && o.number() > s.get().number())) {
        why.append("WAL segment ").append(file).append(" of cluster ").append(store.cluster()).append(" is missing from ")
            .append(store.storage().location()).append(" (later segments of timeline ").append(s.get().timeline())
            .append(" are there): recovery cannot pass it");
        return Answer.FATAL;
      }
      return Answer.ABSENT;
    }
    try {
      Path tmp = dest.resolveSibling(dest.getFileName() + ".cairn-tmp");
      Files.write(tmp, raw.get());
      Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return Answer.DELIVERED;
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot write " + file + " to " + dest + ": " + e.getMessage());
    }
  }
}
