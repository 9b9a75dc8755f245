package dev.cairn.restore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * Which post-data entries of pg_restore's TOC belong to one table, so they can be built as soon as that
 * table is loaded: an entry whose dependencies (followed transitively, through other post-data entries,
 * up to the TABLE entries) reach exactly one restored table is that table's (its indexes, primary key,
 * unique and check constraints, triggers, rules, policies, their comments). An entry reaching several
 * restored tables whose post-data dependencies are all those tables' own (a foreign key: its two tables,
 * the referenced key) is joint: it can be built once each of its tables is built. Everything else
 * (indexes of materialized views reach no table, entries needing those) waits until every table is
 * loaded. Pure: the listing is {@code pg_restore --list --verbose}, the post-data entries' ids those of
 * {@link PgRestoreRun#sectionIds}.
 */
final class PostData {
  /**
   * {@code byTable}: listing lines per table (schema.name), in listing order; {@code rest}: the others, in
   * listing order; {@code joint}: those of {@code rest} that may be built early, with the tables each needs
   * built first.
   */
  record Split(Map<String, List<String>> byTable, List<String> rest, Map<String, Set<String>> joint) {
    Split(Map<String, List<String>> byTable, List<String> rest) {
      this(byTable, rest, Map.of());
    }

    int entries() {
      return rest.size() + byTable.values().stream().mapToInt(List::size).sum();
    }
  }

  /** Entries pg_restore lists in every section: its session state and the database, not post-data objects. */
  private static final Set<String> ARCHIVE_STATE = Set.of("ENCODING", "STDSTRINGS", "SEARCHPATH", "DATABASE");

  private PostData() {}

  /**
   * {@code post}: the ids of the post-data entries (the only ones in either part); {@code tables}: the
   * restored tables (schema.name) whose loads the builds may follow; {@code keep}: the entry lines of a
   * partial restore's list (null: every entry).
   */
  static Split split(List<String> listing, Set<String> post, Set<String> tables, Collection<String> schemas,
      Set<String> keep) {
    List<String> schemaOrder = new ArrayList<>(new HashSet<>(schemas));
    schemaOrder.addAll(List.of("-", "public"));
    for (String line : listing) {
      TocFilter.Entry e = TocFilter.parse(line, List.of());
      if (e != null && e.type().equals("SCHEMA")) {
        schemaOrder.add(e.tag());
      }
    }
    schemaOrder.sort(Comparator.comparingInt(String::length).reversed());
    Set<String> keptIds = keep == null ? null : ids(keep);

    Map<String, TocFilter.Entry> byId = new LinkedHashMap<>();
    Map<String, String> lineOf = new HashMap<>();
    Map<String, List<String>> deps = new HashMap<>();
    TocFilter.Entry previous = null;
    for (String line : listing) {
      TocFilter.Entry e = TocFilter.parse(line, schemaOrder);
      if (e != null) {
        byId.put(e.id(), e);
        lineOf.put(e.id(), line);
        previous = e;
      } else if (previous != null) {
        Matcher dm = TocFilter.DEPENDS.matcher(line);
        if (dm.matches()) {
          deps.put(previous.id(), List.of(dm.group(1).trim().split(" ")));
        }
      }
    }
    Map<String, Set<String>> reached = new HashMap<>();
    Map<String, Set<String>> through = new HashMap<>();
    for (TocFilter.Entry e : byId.values()) {
      if (post.contains(e.id())) {
        Set<String> via = new HashSet<>();
        reached.put(e.id(), tablesReached(e.id(), byId, post, deps, via));
        through.put(e.id(), via);
      }
    }
    Map<String, List<String>> byTable = new LinkedHashMap<>();
    Set<String> own = new HashSet<>();
    List<TocFilter.Entry> others = new ArrayList<>();
    for (TocFilter.Entry e : byId.values()) {
      if (!post.contains(e.id()) || e.type().equals("TABLE") || ARCHIVE_STATE.contains(e.type())
          || (keptIds != null && !keptIds.contains(e.id()))) {
        continue;
      }
      Set<String> r = reached.get(e.id());
      String table = r.size() == 1 ? r.iterator().next() : null;
      // an entry built early must not need one that waits for the end (one reaching no table)
      if (table != null && tables.contains(table)
          && through.get(e.id()).stream().allMatch(d -> reached.get(d).equals(r))) {
        byTable.computeIfAbsent(table, k -> new ArrayList<>()).add(lineOf.get(e.id()));
        own.add(e.id());
      } else {
        others.add(e);
      }
    }
    List<String> rest = new ArrayList<>();
    Map<String, Set<String>> joint = new LinkedHashMap<>();
    for (TocFilter.Entry e : others) {
      Set<String> r = reached.get(e.id());
      rest.add(lineOf.get(e.id()));
      // each post-data entry it needs must be built with its tables; one that waits for the end keeps it there
      if (r.size() > 1 && tables.containsAll(r) && through.get(e.id()).stream().allMatch(own::contains)) {
        joint.put(lineOf.get(e.id()), Set.copyOf(r));
      }
    }
    return new Split(byTable, rest, joint);
  }

  /**
   * The TABLE entries (schema.name) that {@code id} depends on, directly or through other entries, which
   * are added to {@code via}.
   */
  private static Set<String> tablesReached(String id, Map<String, TocFilter.Entry> byId, Set<String> post,
      Map<String, List<String>> deps, Set<String> via) {
    Set<String> tables = new HashSet<>();
    Set<String> seen = new HashSet<>(Set.of(id));
    ArrayDeque<String> todo = new ArrayDeque<>(deps.getOrDefault(id, List.of()));
    while (!todo.isEmpty()) {
      String d = todo.poll();
      if (!seen.add(d)) {
        continue;
      }
      TocFilter.Entry e = byId.get(d);
      if (e == null) {
        continue;
      }
      if (e.type().equals("TABLE")) {
        tables.add(e.schema() + "." + e.tag());
      } else if (post.contains(d)) {
        via.add(d);
        todo.addAll(deps.getOrDefault(d, List.of()));
      } // else a pre-data object other than a table (schema, type, function): it exists by then
    }
    return tables;
  }

  private static Set<String> ids(Collection<String> lines) {
    Set<String> ids = new HashSet<>();
    for (String l : lines) {
      int semi = l.indexOf(';');
      if (semi > 0 && l.substring(0, semi).chars().allMatch(Character::isDigit)) {
        ids.add(l.substring(0, semi));
      }
    }
    return ids;
  }
}
