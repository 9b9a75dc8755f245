package dev.cairn.jobs;

import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Storage;
import dev.cairn.bus.Messages;
import io.vertx.core.json.JsonArray;
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
    List<Job> out = new ArrayList<>();
    for (JsonObject o : latestLines().values()) {
      out.add(Job.fromJson(o));
    }
    out.sort(Comparator.comparing(Job::created));
    return out;
  }

  /** The log lines kept with each job's final state (see {@link #append(Job, List)}), by job id. */
  public Map<String, List<Messages.JobLogLine>> logs() {
    Map<String, List<Messages.JobLogLine>> out = new LinkedHashMap<>();
    for (JsonObject o : latestLines().values()) {
      JsonArray log = o.getJsonArray("log");
      if (log == null) {
        continue;
      }
      String id = o.getString("id");
      List<Messages.JobLogLine> lines = new ArrayList<>();
      for (Object l : log) {
        JsonObject x = (JsonObject) l;
        lines.add(new Messages.JobLogLine(id, Instant.parse(x.getString("at")), x.getString("level"),
            x.getString("message")));
      }
      out.put(id, lines);
    }
    return out;
  }

  /** The latest line of each job, parsed, in the order the jobs first appear. */
  private Map<String, JsonObject> latestLines() {
    Map<String, JsonObject> latest = new LinkedHashMap<>();
    int n = 0;
    String text = storage.get(KEY).map(b -> new String(b, StandardCharsets.UTF_8)).orElse("");
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      n++;
      try {
        JsonObject o = new JsonObject(line);
        Job.fromJson(o); // unreadable as a job: skipped like a cut line
        latest.put(o.getString("id"), o);
      } catch (RuntimeException e) {
        LOG.warning(() -> "skipping unreadable line of " + KEY + " in " + storage.location() + " (cut short by a crash?)");
      }
    }
    lines = n;
    return latest;
  }

  /** Records a job's state; REPO_WRITE (and nothing recorded) when the repository cannot take it. */
  public synchronized void append(Job job) {
    append(job, List.of());
  }

  /**
   * Records a job's state with its last log lines (kept with a finished job's final state, so the console's
   * job detail survives a restart); the caller bounds them.
   */
  public synchronized void append(Job job, List<Messages.JobLogLine> log) {
    if (lines < 0) {
      read();
    }
    JsonObject o = job.toJson();
    if (!log.isEmpty()) {
      JsonArray a = new JsonArray();
      log.forEach(l -> a.add(new JsonObject().put("at", l.at().toString()).put("level", l.level())
          .put("message", l.message())));
      o.put("log", a);
    }
    byte[] line = (o.encode() + "\n").getBytes(StandardCharsets.UTF_8);
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
    List<JsonObject> all = new ArrayList<>(latestLines().values());
    all.sort(Comparator.comparing(o -> Instant.parse(o.getString("created"))));
    List<JsonObject> keep = all.subList(Math.max(0, all.size() - limit), all.size());
    StringBuilder sb = new StringBuilder();
    keep.forEach(o -> sb.append(o.encode()).append('\n')); // as recorded: log lines stay
    storage.put(KEY, sb.toString().getBytes(StandardCharsets.UTF_8));
    lines = keep.size();
  }
}
