package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Repository;
import dev.cairn.storage.s3.S3Location;
import dev.cairn.storage.s3.S3Storage;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config FILE --repository NAME} in place of {@code --repo}: a configuration with a local and an S3
 * repository (the key from the environment: in-process, the aws.* system properties), every command on either by
 * name; the precise refusals; {@code cairn doctor} on the bucket, never printing a secret.
 */
class ConfiguredRepositoryIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final String WRONG_SECRET = "wrong-secret-never-printed";
  @TempDir static Path dir;
  private static S3Server s3;
  private static Path config;
  private static Path local;
  private static String db;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(dir.resolve("s3"));
    s3.bucket("offsite");
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
    db = PG.newDatabase("cfgrepo");
    PG.psql(db, "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g;"
        + " CREATE TABLE small (id int PRIMARY KEY, v text); INSERT INTO small SELECT g, 'x' || g FROM"
        + " generate_series(1, 100) g;");
    local = dir.resolve("local");
    String s3Section = "    s3:\n      endpoint: " + s3.endpoint() + "\n      region: " + S3Server.REGION + "\n"
        + "      bucket: offsite\n      prefix: cli/\n      path_style: true\n";
    config = Files.writeString(dir.resolve("cairn.yaml"), "repositories:\n"
        + "  - name: local\n    path: " + local + "\n"
        + "  - name: offsite\n" + s3Section
        + "  - name: badkey\n" + s3Section + "      access_key_id: " + S3Server.ACCESS_KEY + "\n"
        + "      secret_access_key: " + WRONG_SECRET + "\n"
        + "databases:\n  - name: " + db + "\n    url: " + PG.conninfo(db) + "\n    schedule: \"@daily\"\n");
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
  }

  private static CairnCli.Run cli(String repository, Object... args) {
    Object[] all = new Object[args.length + 4];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--config";
    all[args.length + 1] = config;
    all[args.length + 2] = "--repository";
    all[args.length + 3] = repository;
    return CairnCli.run(all);
  }

  private static List<String> archives(Path repo) throws Exception {
    if (!Files.isDirectory(repo)) {
      return List.of();
    }
    try (java.util.stream.Stream<Path> s = Files.list(repo)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(Repository.SUFFIX)).sorted().toList();
    }
  }

  private static CairnCli.Run ok(CairnCli.Run r) {
    assertEquals(0, r.code(), r.toString());
    return r;
  }

  @Test
  void everyCommandWorksOnTheS3RepositoryByName() throws Exception {
    List<String> localBefore = archives(local);
    String id = ok(cli("offsite", "backup", "--db", PG.conninfo(db), "--progress", "none")).lastLine();
    Repository bucket = Repository.of(S3Storage.open(S3Server.location(s3.endpoint(), "offsite", "cli/",
        S3Location.DEFAULT_PART_SIZE), S3Server.credentials()));
    assertTrue(bucket.exists(id), "the backup is in the bucket's prefix of the configuration");
    // another test's local backup of the same second may hold the same id there: nothing new is the point
    assertEquals(localBefore, archives(local), "nothing written to the local repository");

    assertTrue(ok(cli("offsite", "list")).out().contains(id));
    assertTrue(ok(cli("offsite", "show", id)).out().contains("public.small"));
    ok(cli("offsite", "verify", id));
    CairnCli.Run tested = ok(cli("offsite", "test", id, "--target", PG.conninfo("postgres"), "--progress", "none"));
    assertTrue(tested.out().contains("restore test of " + id + " passed"), tested.toString());
    assertTrue(ok(cli("offsite", "list")).out().lines().anyMatch(l -> l.contains(id) && l.contains("restore-tested")),
        "the restore test is recorded in the bucket's catalog");
    String dst = "cfgrepo_table_" + Long.toHexString(System.nanoTime());
    try {
      ok(cli("offsite", "restore", id, "--db", PG.conninfo(dst), "--create", "--table", "public.small"));
      assertEquals(Map.of("public.small", 100L), DbCompare.tableRowCounts(PG, dst));
    } finally {
      PG.dropDatabase(dst);
    }
    ok(cli("offsite", "history"));
    ok(cli("offsite", "catalog", "rebuild"));
    ok(cli("offsite", "prune", "--keep-last", 1));
    ok(cli("offsite", "delete", id, "--yes"));
    assertFalse(bucket.exists(id), "deleted from the bucket");
  }

  @Test
  void theLocalRepositoryIsNamedTheSameWay() {
    String id = ok(cli("local", "backup", "--db", PG.conninfo(db), "--progress", "none")).lastLine();
    assertTrue(Files.exists(local.resolve(id + Repository.SUFFIX)));
    assertTrue(ok(cli("local", "list")).out().contains(id));
  }

  @Test
  void anUnknownNameIsRefusedListingTheConfiguredOnes() {
    CairnCli.Run r = cli("elsewhere", "list");
    assertEquals(ErrorCode.USAGE.exitCode(), r.code(), r.toString());
    assertTrue(r.err().contains("no repository named elsewhere in the configuration " + config), r.err());
    assertTrue(r.err().contains("local, offsite, badkey"), r.err());
  }

  @Test
  void bothRepoAndRepositoryAreRefused() {
    CairnCli.Run r = cli("local", "list", "--repo", local);
    assertEquals(ErrorCode.USAGE.exitCode(), r.code(), r.toString());
    assertTrue(r.err().contains("--repo " + local + " and --repository local both name the repository"), r.err());
  }

  @Test
  void repositoryWithoutConfigIsRefused() {
    CairnCli.Run r = CairnCli.run("list", "--repository", "offsite");
    assertEquals(ErrorCode.USAGE.exitCode(), r.code(), r.toString());
    assertTrue(r.err().contains("--repository offsite names a repository of the agent's configuration, but no"
        + " --config was given"), r.err());
    CairnCli.Run none = CairnCli.run("list");
    assertEquals(ErrorCode.USAGE.exitCode(), none.code(), none.toString());
    assertTrue(none.err().contains("no repository given"), none.err());
  }

  @Test
  void doctorProbesTheBucketAndReportsRefusedCredentialsWithoutTheSecret() {
    CairnCli.Run good = ok(cli("offsite", "doctor"));
    assertTrue(good.out().contains("ok    repository offsite (") && good.out().contains(
        "reachable, credentials accepted, bucket found, clock in step"), good.out());
    assertTrue(good.out().contains("a probe object written, read back and deleted"), good.out());

    CairnCli.Run bad = cli("badkey", "doctor");
    assertEquals(ErrorCode.REPO_AUTH.exitCode(), bad.code(), bad.toString());
    assertTrue(bad.out().contains("FAIL  repository badkey (") && bad.out().contains("credentials refused: REPO_AUTH")
        && bad.out().contains("SignatureDoesNotMatch"), bad.out());
    assertFalse((bad.out() + bad.err()).contains(WRONG_SECRET), "the secret is never printed");

    CairnCli.Run missing = CairnCli.run("doctor", "--repo", "s3://no-such-bucket/p/", "--s3-endpoint", s3.endpoint(),
        "--s3-path-style", "--s3-region", S3Server.REGION);
    assertEquals(ErrorCode.REPO_NOT_FOUND.exitCode(), missing.code(), missing.toString());
    assertTrue(missing.out().contains("bucket not found: REPO_NOT_FOUND") && missing.out().contains(
        "bucket no-such-bucket does not exist"), missing.out());
  }
}
