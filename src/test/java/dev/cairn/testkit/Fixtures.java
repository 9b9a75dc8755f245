package dev.cairn.testkit;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/** The shared SQL fixtures of src/test/resources/fixtures, loaded into databases of a {@link PgCluster}. */
public final class Fixtures {

  private static final Map<PgCluster, String> FIDELITY_TEMPLATES = new IdentityHashMap<>();

  private Fixtures() {}

  /** Path of {@code fixtures/fidelity.sql} on the test class path. */
  public static Path fidelitySql() {
    return resource("fixtures/fidelity.sql");
  }

  /** Creates a new database and loads the fidelity fixture into it (about a second); returns its name. */
  public static String loadFidelity(PgCluster c) {
    String db = c.newDatabase("fidelity");
    c.psqlFile(db, fidelitySql());
    return db;
  }

  /**
   * A fresh copy of the fidelity database, cloned from a template loaded once per cluster; faster than
   * {@link #loadFidelity} when many tests need it. The caller may change or drop its copy.
   */
  public static String fidelityCopy(PgCluster c) {
    String template;
    synchronized (FIDELITY_TEMPLATES) {
      template = FIDELITY_TEMPLATES.computeIfAbsent(c, Fixtures::loadFidelity);
      // cloning needs the template free of sessions: serialise clones of one template
      return c.cloneDatabase(template, "fidelity_copy");
    }
  }

  private static Path resource(String name) {
    URL url = Fixtures.class.getClassLoader().getResource(name);
    if (url == null) {
      throw new IllegalStateException("test resource " + name + " not found on the class path");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("bad resource URL " + url, e);
    }
  }
}
