package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code repositories:} list and each database's {@code repositories:}; each test checks the exact lines. */
class RepositoriesConfigTest {
  @TempDir Path tmp;
  private Path local;
  private Path offsite;

  @BeforeEach
  void setUp() throws IOException {
    local = Files.createDirectory(tmp.resolve("local"));
    offsite = Files.createDirectory(tmp.resolve("offsite"));
  }

  private String yaml(String repositories, String... dbLines) {
    StringBuilder sb = new StringBuilder(repositories).append("databases:\n  - name: app\n")
        .append("    url: postgresql://backup@db1/app\n    schedule: \"0 2 * * *\"\n");
    for (String l : dbLines) {
      sb.append("    ").append(l).append('\n');
    }
    return sb.toString();
  }

  private String two(String localExtra, String offsiteExtra) {
    return "repositories:\n  - name: local\n    path: " + local + "\n" + localExtra
        + "  - name: offsite\n    path: " + offsite + "\n" + offsiteExtra;
  }

  private CairnConfig load(String yaml) {
    return ConfigLoader.parse(yaml, "test.yaml", Map.of(), tmp);
  }

  private List<String> problems(String yaml) {
    CairnException e = assertThrows(CairnException.class, () -> load(yaml));
    assertEquals(ErrorCode.CONFIG, e.code());
    String[] lines = e.getMessage().split("\n");
    return Arrays.asList(lines).subList(1, lines.length);
  }

  @Test
  void aListOfRepositoriesGivesEachItsRetentionAndDatabasesAllOfThemByDefault() {
    CairnConfig c = load(yaml(two("    retention: {keep_last: 3}\n", "    retention: {keep_daily: 30, keep_monthly: 12}\n")));
    assertEquals(List.of("local", "offsite"), c.repositories().stream().map(RepositoryEntry::name).toList());
    assertEquals(new RetentionConfig(3, 0, 0, 0, 0), c.repositories().get(0).retention());
    assertEquals(new RetentionConfig(0, 0, 30, 0, 12), c.repositories().get(1).retention());
    assertEquals(offsite, c.repositories().get(1).local().path());
    assertEquals("local", c.repositories().get(1).kind());
    assertEquals(local, c.repository().path());
    DatabaseConfig app = c.databases().get(0);
    assertEquals(List.of("local", "offsite"), c.repositoriesOf(app).stream().map(RepositoryEntry::name).toList());
  }

  @Test
  void aDatabaseNamesItsRepositories() {
    CairnConfig c = load(yaml(two("", ""), "repositories: [local]"));
    assertEquals(List.of("local"), c.repositoriesOf(c.databases().get(0)).stream().map(RepositoryEntry::name).toList());
  }

  @Test
  void aDatabasesBackupsAreReceivedByTheFirstRepositoryOfItsOwnList() {
    CairnConfig c = load(yaml(two("", ""), "repositories: [offsite, local]"));
    assertEquals(List.of("offsite", "local"), c.repositoriesOf(c.databases().get(0)).stream()
        .map(RepositoryEntry::name).toList());
    CairnConfig only = load(yaml(two("", ""), "repositories: [offsite]"));
    assertEquals(List.of("offsite"), only.repositoriesOf(only.databases().get(0)).stream()
        .map(RepositoryEntry::name).toList());
  }

  @Test
  void theSingleRepositoryFormIsOneLocalRepositoryWithTheDatabasesRetention() {
    CairnConfig c = load(yaml("repository:\n  path: " + local + "\n", "retention: {keep_last: 2}"));
    assertEquals(1, c.repositories().size());
    RepositoryEntry only = c.repositories().get(0);
    assertEquals("local", only.name());
    assertNull(only.retention());
    assertEquals(new RetentionConfig(2, 0, 0, 0, 0), c.databases().get(0).retention());
    CairnConfig named = load(yaml("repository:\n  path: " + local + "\n", "repositories: [local]"));
    assertEquals(List.of("local"), named.repositoriesOf(named.databases().get(0)).stream().map(RepositoryEntry::name)
        .toList());
  }

  @Test
  void repositoryNamesAreUnique() {
    assertEquals(List.of("repositories[1].name: \"local\" is used twice (also repositories[0])"),
        problems(yaml("repositories:\n  - name: local\n    path: " + local + "\n  - name: local\n    path: " + offsite + "\n")));
  }

  @Test
  void twoRepositoriesNeverShareADirectory() {
    assertEquals(List.of("repositories[1].path: " + local + " is also repositories[0]; give each repository its own directory"),
        problems(yaml("repositories:\n  - name: a\n    path: " + local + "\n  - name: b\n    path: " + local + "/\n")));
  }

  @Test
  void aDatabaseNamingAnUnknownOrRepeatedRepositoryIsRefused() {
    assertEquals(List.of("databases[0].repositories: \"elsewhere\" (databases[0].repositories[1]) is not a configured"
            + " repository (known: local, offsite)"),
        problems(yaml(two("", ""), "repositories: [local, elsewhere]")));
    assertEquals(List.of("databases[0].repositories: \"local\" is named twice (databases[0].repositories[0] and"
            + " databases[0].repositories[1])"),
        problems(yaml(two("", ""), "repositories: [local, local]")));
    assertEquals(List.of("databases[0].repositories: empty list (name at least one repository, or leave the key out"
        + " for all)"), problems(yaml(two("", ""), "repositories: []")));
  }

  @Test
  void aDatabasesRetentionIsRefusedWhenRetentionIsPerRepository() {
    assertEquals(List.of("databases[0].retention: with repositories: retention is set per repository"
            + " (repositories[N].retention); move it there"),
        problems(yaml(two("", ""), "retention: {keep_last: 2}")));
  }

  @Test
  void theSingleRepositoryFormKnowsOnlyLocal() {
    assertEquals(List.of("databases[0].repositories: \"offsite\" (databases[0].repositories[0]) is not a configured"
        + " repository (known: local)"), problems(yaml("repository:\n  path: " + local + "\n", "repositories: [offsite]")));
  }

  @Test
  void bothFormsAtOnceAreRefused() {
    assertEquals(List.of("repository: give either repository (one directory) or repositories (a list), not both"),
        problems("repository:\n  path: " + local + "\n" + yaml(two("", ""))));
  }

  @Test
  void anEntryIsAPathOrS3() {
    assertEquals(List.of("repositories[0]: needs path (a local directory) or s3 (a bucket)"),
        problems(yaml("repositories:\n  - name: x\n")));
    assertEquals(List.of("repositories[0]: has both path and s3; a repository is one or the other"),
        problems(yaml("repositories:\n  - name: x\n    path: " + local + "\n    s3: {bucket: b}\n")));
  }

  @Test
  void anS3EntryIsParsedWithItsProblemsUnderItsKeyPathAndOpenedOnlyWhenTheAgentStarts() {
    assertEquals(List.of("repositories[1].s3.region: required (e.g. eu-central-1; auto for R2)"),
        problems(yaml(two("", "").replace("    path: " + offsite + "\n", "    s3:\n      bucket: acme\n"))));
    // no request is made here: checking a configuration never needs the bucket
    CairnConfig c = load(yaml(two("", "").replace("    path: " + offsite + "\n",
        "    s3: {endpoint: \"http://127.0.0.1:1\", region: eu-central-1, bucket: acme, prefix: prod, path_style: true}\n")));
    assertEquals("s3", c.repositories().get(1).kind());
    assertTrue(c.repositories().get(1).location().contains("acme"), c.repositories().get(1).location());
  }

  @Test
  void entriesAreValidatedWithTheirKeyPaths() {
    List<String> p = problems(yaml("repositories:\n  - path: " + local + "\n    retention: {keep_last: -1}\n"
        + "    colour: red\n  - name: \"bad name\"\n    path: relative/dir\n"));
    assertTrue(p.contains("repositories[0].name: missing (what databases and the API call this repository, e.g. local"
        + " or offsite)"), p.toString());
    assertTrue(p.contains("repositories[0].colour: unknown key (known: name, path, s3, retention)"), p.toString());
    assertTrue(p.stream().anyMatch(l -> l.startsWith("repositories[0].retention.keep_last: ")), p.toString());
    assertTrue(p.contains("repositories[1].name: \"bad name\" must be 1 to 63 letters, digits, _ or -, starting with"
        + " a letter or digit"), p.toString());
    assertTrue(p.contains("repositories[1].path: \"relative/dir\" is relative; write an absolute path"), p.toString());
  }

  @Test
  void anEmptyListIsRefused() {
    assertEquals(List.of("repositories: empty (list at least one repository: a name and a path)"),
        problems(yaml("repositories: []\n")));
  }
}
