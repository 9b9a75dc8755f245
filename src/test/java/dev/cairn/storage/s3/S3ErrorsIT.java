package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the operator must fix, each with its own code and a hint, and never the secret in the message. */
class S3ErrorsIT {
  @TempDir static Path dir;
  private static S3Server server;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(dir.resolve("s3"));
    server.bucket("errors");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
  }

  private static CairnException open(String bucket, S3Credentials creds, Clock clock) {
    S3Location loc = S3Server.location(server.endpoint(), bucket, "p/", S3Location.DEFAULT_PART_SIZE);
    return assertThrows(CairnException.class, () -> S3Storage.open(loc, creds,
        S3Tuning.defaults().withRetries(2, Duration.ofMillis(10), Duration.ofSeconds(5)), clock, Map.of()));
  }

  private static void assertNoSecret(CairnException e, String secret) {
    assertFalse((e.getMessage() + e.hint()).contains(secret), "the secret is never in a message: " + e.getMessage());
  }

  @Test
  void anUnknownAccessKeyIsRefusedAsRepoAuthNamingTheKeyNotTheSecret() {
    CairnException e = open("errors", new S3Credentials("AKIAUNKNOWN", "wrong-secret-xyz", null, "test"),
        Clock.systemUTC());
    assertEquals(ErrorCode.REPO_AUTH, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("InvalidAccessKeyId") && e.getMessage().contains("AKIAUNKNOWN"), e.getMessage());
    assertTrue(e.hint().contains("AWS_ACCESS_KEY_ID"), e.hint());
    assertNoSecret(e, "wrong-secret-xyz");
  }

  @Test
  void aWrongSecretIsRefusedAsRepoAuth() {
    CairnException e = open("errors", new S3Credentials(S3Server.ACCESS_KEY, "not-the-secret-abc", null, "test"),
        Clock.systemUTC());
    assertEquals(ErrorCode.REPO_AUTH, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("SignatureDoesNotMatch"), e.getMessage());
    assertNoSecret(e, "not-the-secret-abc");
  }

  @Test
  void aMissingBucketIsRepoNotFoundWithAHint() {
    CairnException e = open("no-such-bucket", S3Server.credentials(), Clock.systemUTC());
    assertEquals(ErrorCode.REPO_NOT_FOUND, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("bucket no-such-bucket does not exist"), e.getMessage());
    assertTrue(e.hint().contains("create the bucket"), e.hint());
  }

  @Test
  void aClockAnHourOffIsRepoClockSkewWithAHint() {
    Clock skewed = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
    CairnException e = open("errors", S3Server.credentials(), skewed);
    assertEquals(ErrorCode.REPO_CLOCK_SKEW, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("RequestTimeTooSkewed") || e.getMessage().contains("too far"), e.getMessage());
    assertTrue(e.hint().contains("synchronise the clock"), e.hint());
  }

  @Test
  void theCliExitsWithTheRepositoryCodeAndNeverPrintsTheSecret() throws Exception {
    Path log = dir.resolve("list.log");
    Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", S3Server.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY",
        "bad-secret-for-cli", "AWS_REGION", S3Server.REGION);
    try (CairnProcess p = CairnProcess.start(log, env, List.of(), "list", "--repo", "s3://errors/p/",
        "--s3-endpoint", server.endpoint(), "--s3-path-style")) {
      assertEquals(ErrorCode.REPO_AUTH.exitCode(), p.waitFor(60), p.log());
      assertTrue(p.log().contains("REPO_AUTH") && p.log().contains("SignatureDoesNotMatch"), p.log());
      assertFalse(p.log().contains("bad-secret-for-cli"), p.log());
    }
  }

  @Test
  void noCredentialsAnywhereIsRepoAuthNamingWhereTheyWereLookedFor() throws Exception {
    Path empty = Files.writeString(dir.resolve("credentials"), "[other]\naws_access_key_id = x\n");
    CairnException e = assertThrows(CairnException.class, () -> S3Credentials.find(Map.of(
        "AWS_SHARED_CREDENTIALS_FILE", empty.toString(), "AWS_PROFILE", "backup")));
    assertEquals(ErrorCode.REPO_AUTH, e.code());
    assertTrue(e.getMessage().contains("no profile backup"), e.getMessage());
    Path file = Files.writeString(dir.resolve("credentials2"), "[profile backup]\naws_access_key_id = AK\n"
        + "aws_secret_access_key = SK\n");
    S3Credentials c = S3Credentials.find(Map.of("AWS_SHARED_CREDENTIALS_FILE", file.toString(), "AWS_PROFILE", "backup"));
    assertEquals("AK", c.accessKeyId());
    assertFalse(c.toString().contains("SK"), c.toString());
  }

  @Test
  void s3OptionsWithADirectoryRepositoryAreAUsageError() {
    var run = dev.cairn.testkit.CairnCli.run("list", "--repo", dir, "--s3-region", "eu-west-1");
    assertEquals(2, run.code(), run.toString());
    assertTrue(run.err().contains("go with --repo s3://BUCKET/PREFIX"), run.err());
  }
}
