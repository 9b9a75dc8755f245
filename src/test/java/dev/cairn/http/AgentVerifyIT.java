package dev.cairn.http;

import static dev.cairn.http.ApiAgent.VIEWER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent verifies on its own: each backup at once ({@code verify_after_backup}), and on {@code verify_schedule}. */
class AgentVerifyIT {
  @TempDir Path dir;

  private static JsonObject verification(ApiAgent api, String id) throws Exception {
    return api.json(api.get("/api/v1/backups/" + id, VIEWER), 200).getJsonObject("verification");
  }

  /** Polls the backup's verification state (the verify job runs after the backup job ends). */
  private static JsonObject awaitVerified(ApiAgent api, String id) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      JsonObject v = verification(api, id);
      if (!"unverified".equals(v.getString("state"))) {
        return v;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError(id + " is still unverified");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  @Test
  void everyBackupIsVerifiedAtOnceWhenVerifyAfterBackupIsOn() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_vafter", true, "", "    verify_after_backup: true\n",
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build())) {
      String id = api.backup().getString("backupId");
      JsonObject v = awaitVerified(api, id);
      assertEquals("verified", v.getString("state"), v.encode());
      assertEquals("full verify", v.getString("method"));
    }
  }

  @Test
  void theNewestGoodBackupIsVerifiedOnTheVerifySchedule() throws Exception {
    try (ApiAgent api = ApiAgent.start(dir, "api_vsched", true, "", "    verify_schedule: \"* * * * * *\"\n",
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build())) {
      String id = api.backup().getString("backupId");
      assertEquals("verified", awaitVerified(api, id).getString("state"));
    }
  }
}
