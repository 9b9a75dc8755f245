package dev.cairn.cli;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * doctor's checks of one repository. A local one: writable, with room for two more backups of the largest
 * size. An S3 one: opening it sends one signed request, so reachability, credentials, the bucket and the clock
 * are one check, failing with the driver's own error (REPO_AUTH, REPO_NOT_FOUND, REPO_CLOCK_SKEW, ...); then a
 * small object is written, read back and deleted. Messages never hold a secret: the driver's never do.
 */
final class RepositoryDoctor {
  /** Where the probe object goes: never an archive's key, never listed as a backup. */
  static final String PROBE_DIR = "doctor/";

  private RepositoryDoctor() {}

  /** {@code open}: opens the repository for writing (blocking); {@code remote}: an object store. */
  static List<DoctorCommand.Check> check(String label, Supplier<Repository> open, boolean remote) {
    List<DoctorCommand.Check> out = new ArrayList<>();
    Repository repo;
    try {
      repo = open.get();
    } catch (CairnException e) {
      out.add(failed(label + (remote ? ": " + what(e.code()) : ""), e));
      return out;
    }
    if (remote) {
      out.add(new DoctorCommand.Check(true, label + ": reachable, credentials accepted, bucket found, clock in step"));
      out.add(probe(label, repo.storage()));
    }
    try {
      long biggest = Backups.list(repo).stream().mapToLong(Backups.Entry::bytes).max().orElse(0);
      OptionalLong space = repo.storage().freeSpace();
      if (!remote) {
        out.add(new DoctorCommand.Check(true, label + " is writable"
            + (space.isPresent() ? ", " + Cli.bytes(space.getAsLong()) + " free" : "")));
      }
      long free = space.orElse(Long.MAX_VALUE);
      if (biggest > 0 && free < 2 * biggest) {
        out.add(new DoctorCommand.Check(false, label + " has room for less than two more backups of the largest size"
            + " (" + Cli.bytes(biggest) + ")", ErrorCode.REPO_WRITE));
      }
    } catch (CairnException e) {
      out.add(failed(label, e));
    }
    return out;
  }

  /** Writes a small object, reads it back and deletes it: what every backup does, in miniature. */
  private static DoctorCommand.Check probe(String label, Storage storage) {
    String key = PROBE_DIR + "probe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    byte[] bytes = ("cairn doctor probe " + key).getBytes(StandardCharsets.UTF_8);
    String step = "write";
    try {
      storage.put(key, bytes);
      step = "read back";
      Optional<byte[]> back = storage.get(key);
      if (back.isEmpty() || !Arrays.equals(back.get(), bytes)) {
        storage.delete(key);
        return new DoctorCommand.Check(false, label + ": the probe object " + key + " read back "
            + (back.isEmpty() ? "missing" : "different (" + back.get().length + " bytes, " + bytes.length
            + " written)"), ErrorCode.REPO_READ);
      }
      step = "delete";
      storage.delete(key);
      return new DoctorCommand.Check(true, label + ": a probe object written, read back and deleted (" + key + ")");
    } catch (CairnException e) {
      return failed(label + ": probe " + step + " of " + key, e);
    }
  }

  private static String what(ErrorCode code) {
    return switch (code) {
      case REPO_AUTH -> "credentials refused";
      case REPO_NOT_FOUND -> "bucket not found";
      case REPO_CLOCK_SKEW -> "clock skew";
      case CONFIG, USAGE -> "misconfigured";
      default -> "unreachable";
    };
  }

  private static DoctorCommand.Check failed(String what, CairnException e) {
    return new DoctorCommand.Check(false, what + ": " + e.code() + ": " + e.getMessage()
        + (e.hint() == null ? "" : " (hint: " + e.hint() + ")"), e.code());
  }
}
