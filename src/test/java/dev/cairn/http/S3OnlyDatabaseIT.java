package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.PG;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.config.ConfigLoader;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.Repository;
import dev.cairn.storage.s3.S3Storage;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.S3Server;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each database's own repository list: one whose only repository is {@code s3:} is streamed straight to the
 * bucket by the agent (nothing in the local repository), listed, verified, downloaded and restored through the
 * API from there; one with both gets its backup in the local repository and a copy in the bucket, and the API
 * lists it once with both places.
 */
class S3OnlyDatabaseIT {
  private static S3Server s3;
  private static ApiAgent api;
  private static String both;
  private static Path local;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = S3Server.start(dir.resolve("s3"));
    s3.bucket("offsite");
    String only = PG.newDatabase("s3only");
    PG.psql(only, "CREATE TABLE t (id int PRIMARY KEY, v text); "
        + "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g;");
    both = PG.newDatabase("s3both");
    PG.psql(both, "CREATE TABLE u AS SELECT g AS id FROM generate_series(1, 300) g;");
    local = dir.resolve("local");
    int port = ApiAgent.freePort();
    String yaml = "repositories:\n"
        + "  - name: local\n    path: " + local + "\n    retention: {keep_last: 0}\n"
        + "  - name: offsite\n    retention: {keep_last: 0}\n    s3:\n      endpoint: " + s3.endpoint() + "\n"
        + "      region: " + S3Server.REGION + "\n      bucket: offsite\n      prefix: agent/\n      path_style: true\n"
        + "      access_key_id: ${KEY_ID}\n      secret_access_key: ${SECRET}\n"
        + "http:\n  port: " + port + "\n" + ApiAgent.tokens()
        + "agent:\n  run_missed_on_start: false\n"
        + "databases:\n"
        + "  - name: " + only + "\n    url: " + PG.conninfo(only) + "\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n    repositories: [offsite]\n"
        + "  - name: " + both + "\n    url: " + PG.conninfo(both) + "\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n";
    Map<String, String> env = Map.of("KEY_ID", S3Server.ACCESS_KEY, "SECRET", S3Server.SECRET_KEY);
    api = ApiAgent.of(ConfigLoader.parse(yaml, "s3-only-test.yaml", env, dir), only, local, port);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      api.close();
    } finally {
      s3.close();
    }
  }

  private static Repository bucket() {
    return Repository.of(S3Storage.open(S3Server.location(s3.endpoint(), "offsite", "agent/", 5L << 20),
        S3Server.credentials()));
  }

  /** The entries of GET /api/v1/backups with this id. */
  private static List<JsonObject> listed(String id) throws Exception {
    JsonArray all = api.json(api.get("/api/v1/backups", VIEWER), 200).getJsonArray("backups");
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      if (id.equals(all.getJsonObject(i).getString("id"))) {
        out.add(all.getJsonObject(i));
      }
    }
    return out;
  }

  private static List<String> places(JsonObject entry) {
    List<String> out = new ArrayList<>();
    entry.getJsonArray("copies").forEach(c -> out.add(((JsonObject) c).getString("repository")));
    return out;
  }

  @Test
  void aDatabaseWhoseOnlyRepositoryIsS3IsBackedUpListedVerifiedDownloadedAndRestoredFromTheBucket()
      throws Exception {
    JsonObject backup = api.backup();
    assertEquals("succeeded", backup.getString("state"), backup.encode());
    String id = backup.getString("backupId");
    assertTrue(bucket().exists(id), "the archive is in the bucket");
    assertFalse(Files.exists(local.resolve(id + Repository.SUFFIX)), "nothing was written to the local repository");

    List<JsonObject> entries = listed(id);
    assertEquals(1, entries.size(), entries.toString());
    assertEquals(List.of("offsite"), places(entries.get(0)));

    JsonObject verify = api.waitFor(api.json(api.send("POST", "/api/v1/backups/" + id + "/verify", OPERATOR, null),
        202).getJsonObject("job").getString("id"));
    assertEquals("succeeded", verify.getString("state"), verify.encode());
    JsonObject shown = api.json(api.get("/api/v1/backups/" + id, VIEWER), 200);
    assertEquals("verified", shown.getJsonObject("verification").getString("state"), shown.encode());

    byte[] downloaded = api.bytes("/api/v1/backups/" + id + "/archive", OPERATOR).body();
    byte[] there;
    try (ReadSource in = bucket().storage().open(id + Repository.SUFFIX).orElseThrow()) {
      ByteBuffer buf = ByteBuffer.allocate((int) in.size());
      in.read(0, buf);
      there = buf.array();
    }
    assertArrayEquals(there, downloaded, "the download is the archive in the bucket");

    String newDb = "s3only_restored_" + Long.toHexString(System.nanoTime());
    try {
      String body = new JsonObject().put("target", PG.conninfo(newDb)).put("create", true).encode();
      JsonObject restore = api.waitFor(api.json(api.send("POST", "/api/v1/backups/" + id + "/restore", ADMIN, body),
          202).getJsonObject("job").getString("id"));
      assertEquals("succeeded", restore.getString("state"), restore.encode());
      DbCompare.assertSameDatabase(PG, api.db, newDb);
    } finally {
      PG.dropDatabase(newDb);
    }
  }

  @Test
  void aBackupInTwoRepositoriesIsListedOnceWithBothPlaces() throws Exception {
    JsonObject accepted = api.json(api.send("POST", "/api/v1/backups", OPERATOR,
        new JsonObject().put("database", both).encode()), 202);
    JsonObject backup = api.waitFor(accepted.getJsonObject("job").getString("id"));
    assertEquals("succeeded", backup.getString("state"), backup.encode());
    String id = backup.getString("backupId");
    assertTrue(Files.exists(local.resolve(id + Repository.SUFFIX)), "written to the first repository of its list");
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<JsonObject> entries = listed(id);
    while (places(entries.get(0)).size() < 2 && System.nanoTime() < end) {
      TimeUnit.MILLISECONDS.sleep(100); // the copy job to the bucket runs after the backup
      entries = listed(id);
    }
    assertEquals(1, entries.size(), entries.toString());
    assertEquals(List.of("local", "offsite"), places(entries.get(0)), entries.toString());
  }
}
