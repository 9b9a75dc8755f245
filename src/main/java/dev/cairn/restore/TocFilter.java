package dev.cairn.restore;

import dev.cairn.archive.Manifest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the pg_restore TOC entries (from {@code pg_restore -l}) for a restore of some tables: every
 * object that is not a relation (schemas, types, functions, extensions, ...) plus the selected tables with
 * their defaults, constraints, indexes, triggers, policies, comments and grants. Other tables, all views
 * and materialized views, and large objects are left out, as are foreign keys that would point at a
 * table not restored (reported as notes). The kept lines stay in pg_restore's dependency order.
 */
final class TocFilter {
  private static final Pattern ENTRY = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");
  /** What {@code pg_restore --list --verbose} prints under an entry: the dump ids it depends on. */
  static final Pattern DEPENDS = Pattern.compile("^;\\s*depends on:((?: \\d+)+)\\s*$");
  // Longest first, so "MATERIALIZED VIEW DATA" wins over "MATERIALIZED VIEW".
  private static final List<String> TYPES = List.of("MATERIALIZED VIEW DATA", "MATERIALIZED VIEW",
      "SEQUENCE OWNED BY", "SEQUENCE SET", "TABLE DATA", "TABLE ATTACH", "INDEX ATTACH", "FK CONSTRAINT",
      "ROW SECURITY", "SECURITY LABEL", "LARGE OBJECT", "BLOB METADATA", "BLOBS", "BLOB", "CONSTRAINT",
      "DEFAULT", "TRIGGER", "POLICY", "RULE", "INDEX", "TABLE", "VIEW", "SEQUENCE", "COMMENT", "ACL");
  private static final Set<String> TAG_IS_RELATION = Set.of("TABLE", "VIEW", "MATERIALIZED VIEW",
      "MATERIALIZED VIEW DATA", "TABLE DATA", "ROW SECURITY", "TABLE ATTACH");
  private static final Set<String> TAG_STARTS_WITH_TABLE = Set.of("DEFAULT", "CONSTRAINT", "FK CONSTRAINT",
      "TRIGGER", "POLICY", "RULE");
  private static final Set<String> LARGE_OBJECTS = Set.of("BLOB", "BLOBS", "BLOB METADATA", "LARGE OBJECT");

  /** {@code sequences}: those owned by a table left out but kept because a kept entry depends on them. */
  record Outcome(List<String> keep, List<String> notes, Set<String> sequences) {}

  record Entry(String id, String type, String schema, String tag) {}

  private TocFilter() {}

  static Outcome filter(List<String> toc, Manifest m, List<Manifest.Table> selectedTables) {
    Set<String> selected = new HashSet<>();
    selectedTables.forEach(t -> selected.add(key(t.schema(), t.name())));
    Set<String> schemas = new HashSet<>(Set.of("-", "public"));
    m.tables().forEach(t -> schemas.add(t.schema()));
    m.sequences().forEach(s -> schemas.add(s.schema()));
    m.matviews().forEach(v -> schemas.add(v.schema()));
    for (String line : toc) {
      Entry e = parse(line, schemas);
      if (e != null && e.type.equals("SCHEMA")) {
        schemas.add(e.tag);
      }
    }
    List<String> schemaOrder = new ArrayList<>(schemas);
    schemaOrder.sort(Comparator.comparingInt(String::length).reversed());

    Set<String> droppedRels = new HashSet<>();
    Set<String> droppedIndexes = new HashSet<>();
    Map<String, Manifest.Table> kept = new HashMap<>();
    for (Manifest.Table t : m.tables()) {
      if (selected.contains(key(t.schema(), t.name()))) {
        kept.put(key(t.schema(), t.name()), t);
      } else {
        droppedRels.add(key(t.schema(), t.name()));
        t.indexes().forEach(i -> droppedIndexes.add(key(t.schema(), i)));
      }
    }
    Set<String> droppedSeqs = new HashSet<>();
    for (Manifest.Sequence s : m.sequences()) {
      if (s.ownerName() != null && droppedRels.contains(key(s.ownerSchema(), s.ownerName()))) {
        droppedSeqs.add(key(s.schema(), s.name()));
      }
    }
    List<Entry> entries = new ArrayList<>();
    Map<String, Entry> byId = new HashMap<>();
    Map<Entry, List<String>> deps = new HashMap<>();
    Entry previous = null;
    for (String line : toc) {
      Entry e = parse(line, schemaOrder);
      entries.add(e);
      if (e != null) {
        byId.put(e.id, e);
        previous = e;
      } else if (previous != null) {
        Matcher dm = DEPENDS.matcher(line);
        if (dm.matches()) {
          deps.put(previous, List.of(dm.group(1).trim().split(" ")));
        }
      }
      if (e != null && (e.type.equals("VIEW") || e.type.equals("MATERIALIZED VIEW"))) {
        droppedRels.add(key(e.schema, e.tag));
      }
    }

    // A kept table whose default calls nextval() on a sequence owned by a table left out needs that
    // sequence (pg_restore's dependency data says which): keep it, without its OWNED BY.
    Set<String> brought = new java.util.TreeSet<>();
    List<String> notes = new ArrayList<>();
    Set<String> ownerless = new HashSet<>(droppedSeqs);
    for (Entry e : entries) {
      if (e == null || dropReason(e, droppedRels, droppedIndexes, droppedSeqs, kept) != null) {
        continue;
      }
      for (String id : deps.getOrDefault(e, List.of())) {
        Entry d = byId.get(id);
        if (d != null && d.type.equals("SEQUENCE") && droppedSeqs.remove(key(d.schema, d.tag))) {
          brought.add(d.schema + "." + d.tag);
          notes.add("sequence " + d.schema + "." + d.tag + " restored without its owner (a table not restored):"
              + " restored table " + e.schema + "." + e.tag + " uses it");
        }
      }
    }

    List<String> keep = new ArrayList<>();
    for (int i = 0; i < toc.size(); i++) {
      Entry e = entries.get(i);
      if (e == null) {
        continue; // comment or blank line of the listing
      }
      String why = e.type.equals("SEQUENCE OWNED BY") && ownerless.contains(key(e.schema, e.tag)) ? ""
          : dropReason(e, droppedRels, droppedIndexes, droppedSeqs, kept);
      if (why == null) {
        keep.add(toc.get(i));
      } else if (!why.isEmpty()) {
        notes.add(why);
      }
    }
    return new Outcome(keep, notes, Set.copyOf(brought));
  }

  /** null: keep; "": drop silently; otherwise drop and tell the operator why. */
  private static String dropReason(Entry e, Set<String> droppedRels, Set<String> droppedIndexes,
      Set<String> droppedSeqs, Map<String, Manifest.Table> kept) {
    if (LARGE_OBJECTS.contains(e.type)) {
      return "";
    }
    if (TAG_IS_RELATION.contains(e.type)) {
      return droppedRels.contains(key(e.schema, e.tag)) ? "" : null;
    }
    if (e.type.startsWith("SEQUENCE")) {
      return droppedSeqs.contains(key(e.schema, e.tag)) ? "" : null;
    }
    if (e.type.equals("INDEX") || e.type.equals("INDEX ATTACH")) {
      return droppedIndexes.contains(key(e.schema, e.tag)) ? "" : null;
    }
    if (TAG_STARTS_WITH_TABLE.contains(e.type)) {
      if (startsWithRelation(e.schema, e.tag, droppedRels)) {
        return "";
      }
      if (e.type.equals("FK CONSTRAINT")) {
        for (Manifest.Table t : kept.values()) {
          if (t.schema().equals(e.schema) && e.tag.startsWith(t.name() + " ")) {
            String con = e.tag.substring(t.name().length() + 1);
            for (Manifest.ForeignKey fk : t.foreignKeys()) {
              if (fk.name().equals(con) && !kept.containsKey(key(fk.refSchema(), fk.refName()))) {
                return "foreign key " + con + " of " + t.qualifiedName() + " not restored: it references "
                    + fk.refSchema() + "." + fk.refName() + ", which is not restored";
              }
            }
          }
        }
      }
      return null;
    }
    if (e.type.equals("COMMENT") || e.type.equals("ACL") || e.type.equals("SECURITY LABEL")) {
      return aboutDropped(e, droppedRels, droppedIndexes, droppedSeqs) ? "" : null;
    }
    return null;
  }

  private static boolean aboutDropped(Entry e, Set<String> droppedRels, Set<String> droppedIndexes,
      Set<String> droppedSeqs) {
    String t = e.tag;
    for (String kind : List.of("MATERIALIZED VIEW ", "TABLE ", "VIEW ", "FOREIGN TABLE ")) {
      if (t.startsWith(kind)) {
        return droppedRels.contains(key(e.schema, t.substring(kind.length())));
      }
    }
    if (t.startsWith("COLUMN ")) {
      String rest = t.substring("COLUMN ".length());
      for (String r : droppedRels) {
        if (r.startsWith(e.schema + "\u0000") && rest.startsWith(r.substring(e.schema.length() + 1) + ".")) {
          return true;
        }
      }
      return false;
    }
    if (t.startsWith("SEQUENCE ")) {
      return droppedSeqs.contains(key(e.schema, t.substring("SEQUENCE ".length())));
    }
    if (t.startsWith("INDEX ")) {
      return droppedIndexes.contains(key(e.schema, t.substring("INDEX ".length())));
    }
    if (t.startsWith("LARGE OBJECT ")) {
      return true;
    }
    int on = t.lastIndexOf(" ON ");
    return on > 0 && droppedRels.contains(key(e.schema, t.substring(on + 4)));
  }

  private static boolean startsWithRelation(String schema, String tag, Set<String> rels) {
    for (String r : rels) {
      if (r.startsWith(schema + "\u0000") && tag.startsWith(r.substring(schema.length() + 1) + " ")) {
        return true;
      }
    }
    return false;
  }

  /** "ID; CATALOG OID TYPE SCHEMA TAG OWNER"; schema and tag are printed raw, so known schemas anchor them. */
  static Entry parse(String line, java.util.Collection<String> schemas) {
    Matcher mm = ENTRY.matcher(line);
    if (!mm.matches()) {
      return null;
    }
    String rest = mm.group(4);
    String type = null;
    for (String t : TYPES) {
      if (rest.startsWith(t + " ")) {
        type = t;
        break;
      }
    }
    if (type == null) {
      int sp = rest.indexOf(' ');
      type = sp < 0 ? rest : rest.substring(0, sp);
    }
    String r2 = rest.length() > type.length() ? rest.substring(type.length() + 1) : "";
    String schema = null;
    for (String s : schemas) {
      if (r2.startsWith(s + " ")) {
        schema = s;
        break;
      }
    }
    if (schema == null) {
      int sp = r2.indexOf(' ');
      schema = sp < 0 ? r2 : r2.substring(0, sp);
    }
    String r3 = r2.length() > schema.length() ? r2.substring(schema.length() + 1) : "";
    // The owner is the last word; an entry without owner ends in a space.
    int last = r3.lastIndexOf(' ');
    String tag = last < 0 ? r3 : r3.substring(0, last);
    return new Entry(mm.group(1), type, schema, tag);
  }

  private static String key(String schema, String name) {
    return schema + "\u0000" + name;
  }
}
