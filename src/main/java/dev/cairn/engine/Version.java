package dev.cairn.engine;

/** The tool version recorded in manifests: the jar's Implementation-Version, "dev" when run from classes. */
public final class Version {
  private Version() {}

  public static String get() {
    String v = Version.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }
}
