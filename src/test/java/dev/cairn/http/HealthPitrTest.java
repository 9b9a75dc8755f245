package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cairn.pitr.PitrReport;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class HealthPitrTest {
  private final Health.Report green = new Health.Report(true, new JsonObject().put("status", "ok")
      .put("databases", new JsonArray()));

  @Test
  void aClusterWithAGapTurnsHealthRedAndIsShown() {
    JsonObject cluster = new JsonObject().put("name", "main").put("gaps", new JsonArray().add("000000010000000000000004"))
        .put("ok", false);
    Health.Report r = Health.withPitr(green, new PitrReport.Report(false, new JsonObject().put("clusters",
        new JsonArray().add(cluster))));
    assertFalse(r.ok());
    assertEquals("failing", r.json().getString("status"));
    assertEquals(cluster, r.json().getJsonArray("clusters").getJsonObject(0));
  }

  @Test
  void withoutClustersHealthIsWhatTheBackupsSay() {
    assertSame(green, Health.withPitr(green, new PitrReport.Report(true, new JsonObject().put("clusters",
        new JsonArray()))));
  }
}
