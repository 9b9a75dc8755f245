package dev.cairn.jobs;

import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Storage;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The job history of a repository: the object {@code jobs.history}, one JSON line per job state
 * change, appended durably (a failed append, e.g. on a full disk, leaves no half line), so it survives
 * restarts and is readable without the agent. When it holds more than twice {@code limit} lines it is
 * rewritten atomically with the latest state of the newest {@code limit} jobs. A line cut short by a
 * crash is skipped. Blocking; one writer per repository (the agent, which holds the repository's lock).
 */
public final class JobHistory {
  public static final String KEY = "jobs.history";
  private static final Logger LOG = Logger.getLogger("cairn.jobs");

  private final Storage storage;
  private final int limit;
  private int lines = -1;

  public JobHistory(Storage storage, int limit) {
    this.storage = storage;
    this.limit = Math.max(10, limit);
  }

  /** Latest state of each job, oldest first. */
  public List<Job> read() {
    Map<String, Job> latest = new LinkedHashMap<>();
    int n = 0;
    String text = storage.get(KEY).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      n++;
      try {
        Job j = Job.fromJson(new JsonObject(line));
        latest.put(j.id(), j);
      } catch (RuntimeException e) {
        LOG.warning(() -> "skipping unreadable line of " + KEY + " in " + storage.location() + " (cut short by a crash?)");
      }
    }
    lines = n;
    List<Job> out = new ArrayList<>(latest.values());
    out.sort(Comparator.comparing(Job::created));
    return out;
  }

  /** Records a job's state; REPO_WRITE (and nothing recorded) when the repository cannot take it. */
  public synchronized void append(Job job) {
    if (lines < 0) {
      read();
    }
    byte[] line = (job.toJson().encode() + "\n").getBytes(StandardCharsets.UTF_8);
    storage.append(KEY, line);
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
            + j.state().name().toLowerCase(Locale.ROOT) + " (crash or kill -9); partial files were removed");
        append(failed);
        stale.add(failed);
      }
    }
    return stale;
  }

  private void compact() {
    List<Job> all = read();
    List<Job> keep = all.subList(Math.max(0, all.size() - limit), all.size());
    StringBuilder sb = new StringBuilder();
    keep.forEach(j -> sb.append(j.toJson().encode()).append('\n'));
    storage.put(KEY, sb.toString().getBytes(StandardCharsets.UTF_8));
    lines = keep.size();
  }
}
