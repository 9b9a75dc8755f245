package dev.cairn.copy;

import dev.cairn.config.RepositoryEntry;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Latest;
import dev.cairn.storage.Repository;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each database's backups are: its repositories in order, the first receiving its backups (the dumper
 * writes there), the others getting copies. A backup is read (verify, restore, restore test, download, show)
 * from the first repository of its database's list that holds it; a backup of a database that is not
 * configured (imported, or of a database since removed), or that none of its repositories holds, is looked
 * for in the others, in the order configured. Immutable. Every method but {@link #receiving}, {@link #of} and
 * {@link #receivers} reads storage: call them on a worker.
 */
public final class Placement {
  private final Repositories repositories;
  private final Map<String, List<String>> routes;

  /** {@code routes}: database name to its repositories' names, the first receiving its backups. */
  public Placement(Repositories repositories, Map<String, List<String>> routes) {
    this.repositories = repositories;
    this.routes = Map.copyOf(routes);
  }

  /** One repository, named as the single-repository form names it, for every database. */
  public static Placement single(Repository repo) {
    return new Placement(Repositories.single(RepositoryEntry.LEGACY_NAME, repo), Map.of());
  }

  public Repositories repositories() {
    return repositories;
  }

  public Map<String, List<String>> routes() {
    return routes;
  }

  /** The repositories of database {@code name}, in order (all of them for a database not configured). */
  public List<Repositories.Named> of(String name) {
    List<String> route = routes.get(name);
    if (route == null || route.isEmpty()) {
      return repositories.all();
    }
    return route.stream().map(n -> repositories.get(n).orElseThrow()).toList();
  }

  /** Where the backups of database {@code name} are written: the first of its repositories. */
  public Repositories.Named receiving(String name) {
    return of(name).get(0);
  }

  /** Where a backup of {@code name} is looked for: its database's repositories, then the others (imports). */
  private List<Repositories.Named> searchOrder(String name) {
    List<Repositories.Named> out = new ArrayList<>(of(name));
    repositories.all().stream().filter(r -> !out.contains(r)).forEach(out::add);
    return out;
  }

  /** The names of the repositories that receive some database's backups (no database listed: the first). */
  public java.util.Set<String> receivers() {
    if (routes.isEmpty()) {
      return java.util.Set.of(repositories.names().get(0));
    }
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    routes.keySet().forEach(db -> out.add(receiving(db).name()));
    return out;
  }

  /**
   * The repository backup {@code id} is read from: the first of its database's list that holds it, else the
   * first other one that does (an import lands in the first configured repository). BACKUP_NOT_FOUND naming
   * the repositories looked in; when one of them could not be read, its error (the backup may be there).
   */
  public Repositories.Named holder(String id) {
    List<Repositories.Named> candidates = searchOrder(Repository.nameOf(id));
    if (candidates.size() == 1) {
      candidates.get(0).repository().archive(id); // its own BACKUP_NOT_FOUND, as with one repository
      return candidates.get(0);
    }
    CairnException unreadable = null;
    for (Repositories.Named r : candidates) {
      try {
        if (r.repository().exists(id)) {
          return r;
        }
      } catch (RuntimeException e) {
        if (unreadable == null) {
          unreadable = CairnException.wrap(e, ErrorCode.REPO_READ, "repository " + r.name() + " (" + r.location()
              + ")");
        }
      }
    }
    if (unreadable != null) {
      throw unreadable;
    }
    candidates.get(0).repository().archiveKey(id); // a malformed id: its own message
    List<String> names = candidates.stream().map(Repositories.Named::name).toList();
    throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in repositories "
        + String.join(", ", names), "list the backups with: GET /api/v1/backups, or cairn list --repository "
        + names.get(0) + " --config FILE");
  }

  /** {@link Backups#read} from the repository that holds it. */
  public Backups.Entry read(String id) {
    return Backups.read(holder(id).repository(), id);
  }

  /**
   * {@link Backups#resolve} over a database's repositories: an explicit id from the repository that holds it;
   * "latest" the newest good backup of {@code name} in any of them (those that can be read, as {@link #list}).
   */
  public Backups.Entry resolve(String idOrLatest, String name, Instant now) {
    if (!"latest".equals(idOrLatest)) {
      Latest.checkName(idOrLatest, name);
      return Backups.resolve(holder(idOrLatest).repository(), idOrLatest, name, now);
    }
    List<Repositories.Named> candidates = name == null ? repositories.all() : searchOrder(name);
    if (candidates.size() == 1) {
      return Backups.resolve(candidates.get(0).repository(), idOrLatest, name, now);
    }
    return Latest.pick(merge(candidates), name, now, "repositories " + String.join(", ",
        candidates.stream().map(Repositories.Named::name).toList()));
  }

  /**
   * Every backup of every repository once (by id), as {@link Backups#list} orders them; each entry as the
   * first repository of its database's list that holds it has it. An unreachable repository is left out
   * ({@code GET /api/v1/repositories} and health say so) unless none could be listed: then its error.
   */
  public List<Backups.Entry> list() {
    if (repositories.all().size() == 1) {
      return Backups.list(repositories.all().get(0).repository());
    }
    return merge(repositories.all());
  }

  private List<Backups.Entry> merge(List<Repositories.Named> from) {
    Map<String, List<Backups.Entry>> listed = new LinkedHashMap<>();
    RuntimeException failure = null;
    for (Repositories.Named r : from) {
      try {
        listed.put(r.name(), Backups.list(r.repository()));
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    if (listed.isEmpty() && failure != null) {
      throw failure;
    }
    Map<String, Backups.Entry> byId = new LinkedHashMap<>();
    Map<String, Integer> rank = new LinkedHashMap<>();
    listed.forEach((repoName, entries) -> {
      for (Backups.Entry e : entries) {
        int r = rankOf(repoName, e.name());
        Integer had = rank.get(e.id());
        if (had == null || r < had) {
          byId.put(e.id(), e);
          rank.put(e.id(), r);
        }
      }
    });
    List<Backups.Entry> out = new ArrayList<>(byId.values());
    out.sort(Comparator.comparing((Backups.Entry e) -> e.summary() == null ? Instant.MIN : e.summary().finished())
        .reversed().thenComparing(Backups.Entry::id));
    return out;
  }

  /** How early {@code repoName} comes in the list of database {@code name} (not in it: after all of them). */
  private int rankOf(String repoName, String name) {
    List<String> names = of(name).stream().map(Repositories.Named::name).toList();
    int i = names.indexOf(repoName);
    return i >= 0 ? i : names.size() + repositories.names().indexOf(repoName);
  }
}
