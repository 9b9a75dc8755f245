package dev.cairn.jobs;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Repository;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The job history of a repository: {@code jobs.history}, one JSON line per job state change, appended
 * and fsynced, so it survives restarts and is readable without the agent. When it holds more than twice
 * {@code limit} lines it is rewritten (temp file, fsync, rename) with the latest state of the newest
 * {@code limit} jobs. A line cut short by a crash is skipped. Blocking; one writer per repository.
 */
public final class JobHistory {
  public static final String FILE = "jobs.history";
  private static final Logger LOG = Logger.getLogger("cairn.jobs");

  private final Path file;
  private final int limit;
  private int lines = -1;

  public JobHistory(Path repoDir, int limit) {
    this.file = repoDir.resolve(FILE);
    this.limit = Math.max(10, limit);
  }

  public Path file() {
    return file;
  }

  /** Latest state of each job, oldest first. */
  public List<Job> read() {
    Map<String, Job> latest = new LinkedHashMap<>();
    int n = 0;
    if (Files.exists(file)) {
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          n++;
          if (line.isBlank()) {
            continue;
          }
          try {
            Job j = Job.fromJson(new JsonObject(line));
            latest.put(j.id(), j);
          } catch (RuntimeException e) {
            LOG.warning(() -> "skipping unreadable line " + "of " + file + " (cut short by a crash?)");
          }
        }
      } catch (IOException e) {
        throw new CairnException(ErrorCode.REPO_READ, "cannot read job history " + file + ": "
            + Repository.describe(e), null, null, e);
      }
    }
    lines = n;
    List<Job> out = new ArrayList<>(latest.values());
    out.sort(Comparator.comparing(Job::created));
    return out;
  }

  public synchronized void append(Job job) {
    if (lines < 0) {
      read();
    }
    byte[] line = (job.toJson().encode() + "\n").getBytes(StandardCharsets.UTF_8);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND)) {
      ByteBuffer b = ByteBuffer.wrap(line);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(false);
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot record job " + job.id() + " in " + file + ": "
          + Repository.describe(e), "check free space and permissions of the repository", null, e);
    }
    if (++lines > 2 * limit) {
      compact();
    }
  }

  /**
   * Jobs recorded as queued or running belong to an agent that did not stop cleanly (crash, kill -9):
   * records them as failed and returns them.
   */
  public synchronized List<Job> recoverInterrupted(Instant now) {
    List<Job> stale = new ArrayList<>();
    for (Job j : read()) {
      if (!j.state().done()) {
        Job failed = j.failed(now, ErrorCode.INTERNAL.name(), "the agent stopped while this job was "
            + j.state().name().toLowerCase() + " (crash or kill -9); partial files were removed");
        append(failed);
        stale.add(failed);
      }
    }
    return stale;
  }

  private void compact() {
    List<Job> all = read();
    List<Job> keep = all.subList(Math.max(0, all.size() - limit), all.size());
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try {
      StringBuilder sb = new StringBuilder();
      keep.forEach(j -> sb.append(j.toJson().encode()).append('\n'));
      Files.writeString(tmp, sb, StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      lines = keep.size();
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot compact job history " + file + ": "
          + Repository.describe(e), null, null, e);
    }
  }
}
