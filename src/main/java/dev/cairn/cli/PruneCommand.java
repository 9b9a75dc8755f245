package dev.cairn.cli;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.retention.BackupInfo;
import dev.cairn.retention.Decision;
import dev.cairn.retention.Retention;
import dev.cairn.retention.RetentionPolicy;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Applies a retention policy to a repository: decides per series of backups (one database, one backup
 * name) with {@link Retention#decide}, prints every decision, deletes what no rule keeps.
 */
@Command(name = "prune", description = "Delete the backups that no keep rule keeps (per database).")
final class PruneCommand implements Callable<Integer> {
  /** {@code <name>-<UTC time>[-n]}: see {@link Repository#ID}. */
  private static final Pattern ID_PARTS = Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)(?:-\\d{1,3})?");
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  @Spec CommandSpec cmd;

  /** The current time; tests fix it. */
  Clock clock = Clock.systemUTC();

  @Mixin RepoOptions repo;

  @Option(names = "--database", paramLabel = "NAME", description = "only the backups of this database")
  String database;

  @Option(names = "--keep-last", paramLabel = "N", description = "keep the N newest good backups")
  Integer keepLast;

  @Option(names = "--keep-days", paramLabel = "N", description = "keep good backups of the last N × 24 hours")
  Integer keepDays;

  @Option(names = "--keep-daily", paramLabel = "N", description = "keep the newest good backup of each of the last N days that have one")
  Integer keepDaily;

  @Option(names = "--keep-weekly", paramLabel = "N", description = "the same for ISO weeks (Monday to Sunday)")
  Integer keepWeekly;

  @Option(names = "--keep-monthly", paramLabel = "N", description = "the same for calendar months")
  Integer keepMonthly;

  @Option(names = "--timezone", paramLabel = "ZONE", description = "calendar of days, weeks and months (default: this machine's time zone)")
  String timezone;

  @Option(names = "--dry-run", description = "print the decisions, delete nothing")
  boolean dryRun;

  @Option(names = "--json", description = "print the decisions as JSON")
  boolean json;

  /** One backup of the repository as retention sees it. */
  private record Item(BackupInfo info, Backups.Entry entry) {}

  private record Outcome(Item item, Decision decision, String deleteError) {}

  @Override
  public Integer call() {
    RetentionPolicy policy = policy();
    ZoneId zone = zone();
    Repository repository = repo.open();
    Instant now = clock.instant();

    Map<String, List<Item>> series = series(repository);
    if (series.isEmpty() && database != null) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup of database " + database + " in "
          + repository.location(), "list the backups with: cairn list --repo " + repository.location());
    }
    List<Outcome> outcomes = new ArrayList<>();
    Map<String, String> inUse = repository.inUse();
    for (List<Item> items : series.values()) {
      items.sort((a, b) -> Retention.NEWEST_FIRST.compare(a.info(), b.info()));
      // In use by any process (an agent's verify, a CLI restore, a download): kept.
      List<Decision> decisions = Retention.decide(items.stream().map(Item::info).toList(), policy, now, zone, inUse);
      for (int i = 0; i < items.size(); i++) {
        outcomes.add(new Outcome(items.get(i), decisions.get(i), null));
      }
    }
    if (!dryRun) {
      for (int i = 0; i < outcomes.size(); i++) {
        Outcome o = outcomes.get(i);
        if (!o.decision().keep()) {
          outcomes.set(i, new Outcome(o.item(), o.decision(), delete(repository, o.item().info().id())));
        }
      }
    }
    print(outcomes, policy, zone, now);

    List<Outcome> failed = outcomes.stream().filter(o -> o.deleteError() != null).toList();
    if (!failed.isEmpty()) {
      StringBuilder msg = new StringBuilder("could not delete " + failed.size() + " of "
          + outcomes.stream().filter(o -> !o.decision().keep()).count() + " backups in " + repository.location() + ":");
      failed.forEach(o -> msg.append(' ').append(o.deleteError()).append(';'));
      msg.setLength(msg.length() - 1);
      throw new CairnException(ErrorCode.REPO_WRITE, msg.toString(),
          "check the repository's owner and permissions, then run prune again");
    }
    return 0;
  }

  private RetentionPolicy policy() {
    if (keepLast == null && keepDays == null && keepDaily == null && keepWeekly == null && keepMonthly == null) {
      throw new CairnException(ErrorCode.USAGE, "prune needs at least one keep rule",
          "add e.g. --keep-daily 7 --keep-weekly 4 --keep-monthly 12; try --dry-run first to see what would be deleted");
    }
    RetentionPolicy p = new RetentionPolicy(count("--keep-last", keepLast), count("--keep-days", keepDays),
        count("--keep-daily", keepDaily), count("--keep-weekly", keepWeekly), count("--keep-monthly", keepMonthly));
    if (p.keepsEverything()) {
      throw new CairnException(ErrorCode.USAGE, "every keep rule given is 0 (off), so prune would keep everything",
          "give at least one keep rule a count of 1 or more");
    }
    return p;
  }

  private static int count(String option, Integer value) {
    if (value == null) {
      return 0;
    }
    if (value < 0) {
      throw new CairnException(ErrorCode.USAGE, option + " is " + value + ": it must be 0 (off) or more");
    }
    return value;
  }

  private ZoneId zone() {
    if (timezone == null) {
      return ZoneId.systemDefault();
    }
    try {
      return ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new CairnException(ErrorCode.USAGE, "unknown time zone \"" + timezone + "\"",
          "use a region name such as Europe/Berlin or America/New_York, or UTC");
    }
  }

  /**
   * The backups grouped by series (database and the name in their ids), of {@link #database} only when
   * given. A damaged archive has no readable database or finish time: it joins the series of the good
   * backups with the same name in their ids (alone when there are none, so nothing newer and good can
   * make it go), placed at the later of the time in its id and its file's modification time.
   */
  private Map<String, List<Item>> series(Repository repository) {
    List<Backups.Entry> entries = Backups.list(repository);
    Map<String, Set<String>> databasesOfName = new HashMap<>();
    for (Backups.Entry e : entries) {
      if (e.readable()) {
        databasesOfName.computeIfAbsent(nameOf(e.id()), n -> new HashSet<>()).add(e.summary().database());
      }
    }
    Map<String, List<Item>> out = new TreeMap<>();
    for (Backups.Entry e : entries) {
      String name = nameOf(e.id());
      BackupInfo info;
      if (e.readable()) {
        info = new BackupInfo(e.id(), e.summary().database(), e.summary().finished(), true);
      } else {
        Set<String> dbs = databasesOfName.getOrDefault(name, Set.of());
        String db = dbs.size() == 1 ? dbs.iterator().next() : null;
        info = new BackupInfo(e.id(), db, damagedRecorded(repository, e.id()), false);
      }
      if (database != null && !database.equals(info.database())) {
        continue;
      }
      String key = (info.database() == null ? "?" : info.database()) + "\u0000" + name;
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(new Item(info, e));
    }
    return out;
  }

  private static String nameOf(String id) {
    Matcher m = ID_PARTS.matcher(id);
    return m.matches() ? m.group(1) : id;
  }

  private static Instant damagedRecorded(Repository repository, String id) {
    Instant t = Instant.EPOCH;
    Matcher m = ID_PARTS.matcher(id);
    if (m.matches()) {
      try {
        t = LocalDateTime.parse(m.group(2), ID_TIME).toInstant(ZoneOffset.UTC);
      } catch (DateTimeException ignored) {
        // an impossible date in the id: the file time alone
      }
    }
    Instant modified = repository.storage().stat(repository.archiveKey(id))
        .map(o -> Instant.ofEpochMilli(o.modifiedMillis())).orElse(t);
    return modified.isAfter(t) ? modified : t;
  }

  /** Null when deleted (or already gone), else what went wrong. */
  private static String delete(Repository repository, String id) {
    try {
      repository.delete(id);
      return null;
    } catch (CairnException e) {
      return e.code() == ErrorCode.BACKUP_NOT_FOUND ? null : e.getMessage();
    }
  }

  private void print(List<Outcome> outcomes, RetentionPolicy policy, ZoneId zone, Instant now) {
    PrintWriter out = cmd.commandLine().getOut();
    long deleting = outcomes.stream().filter(o -> !o.decision().keep()).count();
    if (json) {
      JsonArray a = new JsonArray();
      for (Outcome o : outcomes) {
        BackupInfo b = o.item().info();
        JsonObject j = new JsonObject().put("id", b.id()).put("database", b.database())
            .put("recorded", b.recorded().toString()).put("good", b.good())
            .put("decision", o.decision().keep() ? "keep" : "delete")
            .put("reasons", new JsonArray(new ArrayList<>(o.decision().reasons())))
            .put("deleted", !dryRun && !o.decision().keep() && o.deleteError() == null);
        if (o.item().entry().damage() != null) {
          j.put("damage", o.item().entry().damage());
        }
        if (o.deleteError() != null) {
          j.put("error", o.deleteError());
        }
        a.add(j);
      }
      out.println(new JsonObject().put("now", now.toString()).put("timezone", zone.getId())
          .put("policy", new JsonObject().put("keepLast", policy.keepLast()).put("keepDays", policy.keepDays())
              .put("keepDaily", policy.keepDaily()).put("keepWeekly", policy.keepWeekly())
              .put("keepMonthly", policy.keepMonthly()))
          .put("dryRun", dryRun).put("backups", a).encodePrettily());
    } else {
      int width = outcomes.stream().mapToInt(o -> o.item().info().id().length()).max().orElse(0);
      for (Outcome o : outcomes) {
        BackupInfo b = o.item().info();
        out.printf("%-6s  %-" + width + "s  %s  %s%n", o.decision().keep() ? "KEEP" : "DELETE", b.id(),
            b.recorded().truncatedTo(ChronoUnit.SECONDS), o.decision().because());
      }
    }
    out.flush();
    PrintWriter err = cmd.commandLine().getErr();
    err.println(dryRun
        ? "dry run: " + deleting + " of " + outcomes.size() + " backups would be deleted (" + policy + ", " + zone + ")"
        : (deleting - outcomes.stream().filter(o -> o.deleteError() != null).count()) + " of " + outcomes.size()
            + " backups deleted (" + policy + ", " + zone + ")");
    err.flush();
  }
}
