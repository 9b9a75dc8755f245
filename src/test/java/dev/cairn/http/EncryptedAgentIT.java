package dev.cairn.http;

import static dev.cairn.http.ApiAgent.ADMIN;
import static dev.cairn.http.ApiAgent.OPERATOR;
import static dev.cairn.http.ApiAgent.PG;
import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.TestArchives;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose backups are encrypted for a passphrase slot and a recipient slot: an archive downloaded
 * over HTTP restores and restore-tests elsewhere with the CLI and either key (and names its slots without
 * one); the agent restores, verifies and imports it back with its own keys.
 */
class EncryptedAgentIT {
  private static final String PASSPHRASE = "the agent's passphrase, long enough";
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir Path dir;

  @Test
  void aDownloadedArchiveRestoresWithEitherKeyAndTheAgentRestoresVerifiesAndImportsItWithItsOwn() throws Exception {
    Path identity = dir.resolve("vault.identity");
    CairnCli.Run gen = CairnCli.run("key", "generate", "--out", identity);
    assertEquals(0, gen.code(), gen.toString());
    String encryption = "encryption:\n  keys:\n    - {id: ops, passphrase: \"" + PASSPHRASE + "\"}\n"
        + "    - {id: vault, recipient: " + gen.lastLine() + "}\n";
    try (ApiAgent api = ApiAgent.start(dir, "api_crypt", true, "  rate_limit_per_minute: 0\n", "", encryption, "",
        CLIENT)) {
      JsonObject backup = api.backup();
      assertEquals("succeeded", backup.getString("state"), backup.encode());
      String id = backup.getString("backupId");
      try (ArchiveReader r = TestArchives.open(api.repo.resolve(id + ".cairn"))) {
        assertTrue(r.encrypted(), "the agent encrypts its backups");
      }

      HttpResponse<byte[]> dl = api.bytes("/api/v1/backups/" + id + "/archive", OPERATOR);
      assertEquals(200, dl.statusCode());
      assertFalse(new String(dl.body(), StandardCharsets.ISO_8859_1).contains(api.db), "the download is the sealed archive");
      Path elsewhere = Files.createDirectories(dir.resolve("downloaded"));
      Files.write(elsewhere.resolve(id + ".cairn"), dl.body());

      String byIdentity = PG.newDatabase("crypt_dl");
      PG.dropDatabase(byIdentity);
      CairnCli.Run restore = CairnCli.run("restore", id, "--repo", elsewhere, "--db", PG.conninfo(byIdentity), "--create",
          "--identity", identity);
      assertEquals(0, restore.code(), restore.toString());
      assertEquals("5000", PG.psql(byIdentity, "SELECT count(*) FROM t"));

      CairnCli.Run locked = CairnCli.run("test", id, "--repo", elsewhere, "--target", PG.conninfo("postgres"));
      assertEquals(11, locked.code(), locked.toString());
      assertTrue(locked.err().contains("is encrypted for the key slots ops (passphrase), vault (x25519 "), locked.err());
      Path pass = Files.writeString(dir.resolve("pass"), PASSPHRASE + "\n");
      CairnCli.Run test = CairnCli.run("test", id, "--repo", elsewhere, "--target", PG.conninfo("postgres"),
          "--passphrase-file", pass);
      assertEquals(0, test.code(), test.toString());
      assertTrue(test.out().contains("restore test of " + id + " passed"), test.out());
      assertFalse(test.toString().contains(PASSPHRASE), "the passphrase is never printed");

      String byAgent = PG.newDatabase("crypt_agent");
      PG.dropDatabase(byAgent);
      JsonObject accepted = api.json(api.send("POST", "/api/v1/backups/" + id + "/restore", ADMIN,
          new JsonObject().put("target", PG.conninfo(byAgent)).put("create", true).encode()), 202);
      JsonObject restored = api.waitFor(accepted.getJsonObject("job").getString("id"));
      assertEquals("succeeded", restored.getString("state"), restored.encode());
      assertEquals("5000", PG.psql(byAgent, "SELECT count(*) FROM t"));

      JsonObject verify = api.waitFor(api.json(api.send("POST", "/api/v1/backups/" + id + "/verify", OPERATOR, null),
          202).getJsonObject("job").getString("id"));
      assertEquals("succeeded", verify.getString("state"), verify.encode());
      JsonObject verified = api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getJsonObject("verification");
      assertEquals("full verify", verified.getString("method"), "rows and digests, not storage level: "
          + verified.encode());

      api.json(api.send("DELETE", "/api/v1/backups/" + id, ADMIN, null), 200);
      HttpResponse<String> imported = CLIENT.send(HttpRequest.newBuilder(URI.create(api.uri("/api/v1/backups/import")
          .toString())).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(dl.body()))
          .header("Content-Type", "application/octet-stream").header("Authorization", "Bearer " + ADMIN).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonObject summary = api.json(imported, 201);
      assertEquals("verified", summary.getJsonObject("verification").getString("state"),
          "the import is verified fully with the agent's keys: " + summary.encode());
      assertEquals(id, api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getString("id"));
    }
  }
}
