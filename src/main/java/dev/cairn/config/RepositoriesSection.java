package dev.cairn.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The {@code repositories:} list: each entry a name and either {@code path:} (a local directory) or
 * {@code s3:}, with its own {@code retention:}. Names are unique and two entries never share a directory
 * (they would share one lock and one catalog).
 */
final class RepositoriesSection {
  static final List<String> ENTRY_KEYS = List.of("name", "path", "s3", "retention");

  private RepositoriesSection() {}

  /**
   * @param localPath checks an entry's {@code path} key as {@code repository.path} is checked
   * @param retention parses a {@code retention:} section
   */
  static List<RepositoryEntry> parse(Section top, Function<Section, RepositoryConfig> localPath,
      BiFunction<Section, Integer, RepositoryEntry.Remote> s3, Function<Section, RetentionConfig> retention) {
    List<Section> list = top.sections("repositories");
    if (list == null || list.isEmpty()) {
      if (list != null || !top.has("repositories")) {
        top.problem("repositories", (list == null ? "missing" : "empty")
            + " (list at least one repository: a name and a path)");
      }
      return List.of();
    }
    List<RepositoryEntry> out = new ArrayList<>();
    Map<String, Integer> names = new HashMap<>();
    Map<String, Integer> paths = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Section s = list.get(i);
      s.known(ENTRY_KEYS);
      String name = s.string("name", null);
      if (name == null && !s.has("name")) {
        s.problem("name", "missing (what databases and the API call this repository, e.g. local or offsite)");
      } else if (name != null && !RepositoryEntry.NAME.matcher(name).matches()) {
        s.problem("name", "\"" + name + "\" must be 1 to 63 letters, digits, _ or -, starting with a letter or digit");
        name = null;
      } else if (name != null && names.putIfAbsent(name, i) != null) {
        s.problem("name", "\"" + name + "\" is used twice (also repositories[" + names.get(name) + "])");
        name = null;
      }
      RepositoryConfig local = null;
      RepositoryEntry.Remote remote = null;
      if (s.has("path") && s.has("s3")) {
        s.problem(null, "has both path and s3; a repository is one or the other");
      } else if (s.has("s3")) {
        remote = s3.apply(s.section("s3"), i);
      } else if (s.has("path")) {
        local = localPath.apply(s);
        if (local != null && paths.putIfAbsent(local.path().toString(), i) != null) {
          s.problem("path", local.path() + " is also repositories[" + paths.get(local.path().toString())
              + "]; give each repository its own directory");
          local = null;
        }
      } else {
        s.problem(null, "needs path (a local directory) or s3 (a bucket)");
      }
      RetentionConfig r = retention.apply(s.section("retention"));
      if (name != null && (local != null || remote != null)) {
        out.add(new RepositoryEntry(name, local, remote, r));
      }
    }
    return out;
  }

  /**
   * A database's {@code repositories:}, which must name configured repositories, each once, in any order: the
   * first it names receives its backups (one that is {@code s3:} receives them straight from the dump), the
   * others get copies; the key left out = all, in the order configured. In the {@code repositories:} form retention is per repository, so a
   * database's own {@code retention:} is refused rather than silently ignored or merged.
   */
  static List<String> databaseRepositories(Section d, List<String> known, boolean listForm) {
    if (listForm && d.has("retention")) {
      d.problem("retention", "with repositories: retention is set per repository (repositories[N].retention);"
          + " move it there");
    }
    List<Map.Entry<String, Section.Scalar>> names = d.scalars("repositories");
    if (names == null) {
      return List.of();
    }
    if (names.isEmpty()) {
      d.problem("repositories", "empty list (name at least one repository, or leave the key out for all)");
      return List.of();
    }
    Map<String, String> seen = new LinkedHashMap<>();
    for (Map.Entry<String, Section.Scalar> e : names) {
      String n = e.getValue().text();
      if (!known.contains(n)) {
        d.problem("repositories", "\"" + n + "\" (" + e.getKey() + ") is not a configured repository (known: "
            + String.join(", ", known) + ")");
      } else if (seen.putIfAbsent(n, e.getKey()) != null) {
        d.problem("repositories", "\"" + n + "\" is named twice (" + seen.get(n) + " and " + e.getKey() + ")");
      }
    }
    return List.copyOf(seen.keySet());
  }
}
