package dev.cairn.copy;

import dev.cairn.storage.Repository;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's configured repositories by name, in the order configured: each its own {@link Repository}
 * (driver, catalog, leases and so its own lock). Immutable; shared by the verticles that read it.
 */
public final class Repositories {
  /** {@code kind}: "local" or a remote driver's ("s3"); {@code location}: never a secret. */
  public record Named(String name, String kind, String location, Repository repository) {}

  private final Map<String, Named> byName = new LinkedHashMap<>();

  public Repositories(List<Named> repositories) {
    repositories.forEach(r -> byName.put(r.name(), r));
  }

  /** A single repository, as the agent had before there were several; named {@code name}. */
  public static Repositories single(String name, Repository repo) {
    return new Repositories(List.of(new Named(name, "local", repo.location(), repo)));
  }

  public List<Named> all() {
    return List.copyOf(byName.values());
  }

  public Optional<Named> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }
}
