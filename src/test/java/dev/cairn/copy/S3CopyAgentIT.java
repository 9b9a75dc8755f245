package dev.cairn.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.agent.Agent;
import dev.cairn.bus.Addresses;
import dev.cairn.bus.Messages;
import dev.cairn.config.ConfigLoader;
import dev.cairn.jobs.Job;
import dev.cairn.storage.Backups;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import dev.cairn.storage.s3.S3Storage;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.S3Server;
import io.vertx.core.Promise;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent configured with a local repository and an S3 one ({@code repositories[1].s3}, the key from
 * {@code ${VAR}}s): each backup is copied to the bucket by a copy job and listed there only once checked.
 */
class S3CopyAgentIT {
  private static final PgCluster PG = PgCluster.shared();
  private static S3Server s3;
  private static String db;

  @TempDir static Path s3Dir;
  @TempDir Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    s3 = S3Server.start(s3Dir.resolve("s3"));
    s3.bucket("offsite");
    db = PG.newDatabase("s3copies");
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 20000) g;");
  }

  @AfterAll
  static void tearDown() throws Exception {
    s3.close();
  }

  private static int freePort() throws Exception {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aBackupIsCopiedToTheS3RepositoryOfTheConfigByteForByteAndListedThereVerified() throws Exception {
    Path local = dir.resolve("local");
    String yaml = "repositories:\n"
        + "  - name: local\n    path: " + local + "\n    retention: {keep_last: 0}\n"
        + "  - name: offsite\n    retention: {keep_last: 0}\n    s3:\n      endpoint: " + s3.endpoint() + "\n"
        + "      region: " + S3Server.REGION + "\n      bucket: offsite\n      prefix: agent/\n      path_style: true\n"
        + "      access_key_id: ${KEY_ID}\n      secret_access_key: ${SECRET}\n"
        + "http:\n  port: " + freePort() + "\n"
        + "agent:\n  run_missed_on_start: false\n"
        + "databases:\n  - name: " + db + "\n    url: " + PG.conninfo(db) + "\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n";
    Map<String, String> env = Map.of("KEY_ID", S3Server.ACCESS_KEY, "SECRET", S3Server.SECRET_KEY);
    Agent agent = Agent.start(ConfigLoader.parse(yaml, "s3-copy-test.yaml", env, dir), Clock.systemUTC())
        .await(60, TimeUnit.SECONDS);
    Job copy;
    try {
      Promise<Job> copied = Promise.promise();
      MessageConsumer<Messages.JobUpdate> c = agent.vertx().eventBus().<Messages.JobUpdate>consumer(
          Addresses.JOB_EVENTS, m -> {
            if (m.body().job().kind() == Job.Kind.COPY && m.body().job().state().done()) {
              copied.tryComplete(m.body().job());
            }
          });
      agent.vertx().eventBus().request(Addresses.BACKUP_REQUEST, new Messages.BackupRequest(db, "test"))
          .await(10, TimeUnit.SECONDS);
      copy = copied.future().await(120, TimeUnit.SECONDS);
      c.unregister();
    } finally {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    }
    assertEquals(Job.State.SUCCEEDED, copy.state(), copy.toString());
    String id = copy.backupId();
    byte[] source = Files.readAllBytes(local.resolve(id + Repository.SUFFIX));

    Repository bucket = Repository.of(S3Storage.open(S3Server.location(s3.endpoint(), "offsite", "agent/",
        5L << 20), S3Server.credentials()));
    Backups.Entry listed = Backups.list(bucket).get(0);
    assertEquals(id, listed.id());
    assertEquals(Verification.State.VERIFIED, listed.verification().state());
    byte[] there;
    try (ReadSource in = bucket.storage().open(id + Repository.SUFFIX).orElseThrow()) {
      ByteBuffer buf = ByteBuffer.allocate((int) in.size());
      in.read(0, buf);
      there = buf.array();
    }
    assertArrayEquals(source, there, "the copy in the bucket is the archive, byte for byte");
    assertTrue(bucket.storage().list("incoming/").isEmpty(), "no upload is left in incoming/");
    for (Path root : List.of(s3.dir(), local)) {
      assertEquals(List.of(), filesHolding(root, S3Server.SECRET_KEY),
          "no object in the bucket and no file in the local repository (catalog, copy records, job history) holds"
          + " the secret");
    }
  }

  private static List<Path> filesHolding(Path root, String text) throws Exception {
    try (java.util.stream.Stream<Path> s = Files.walk(root)) {
      // ISO-8859-1 maps each byte to one char: a plain search of the raw bytes
      return s.filter(Files::isRegularFile).filter(f -> {
        try {
          return new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.ISO_8859_1).contains(text);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }).toList();
    }
  }
}
