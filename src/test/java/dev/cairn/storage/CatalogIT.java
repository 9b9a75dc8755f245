package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catalog beside the archives: written at publish, rebuilt from the archives, never trusted over them. */
class CatalogIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;
  private String db;

  @BeforeEach
  void setUp() {
    db = PG.newDatabase("catalog");
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 3000) g;");
  }

  private String backup() {
    CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo);
    assertEquals(0, r.code(), r.toString());
    return r.lastLine();
  }

  private Map<String, JsonObject> listed() {
    CairnCli.Run r = CairnCli.run("list", "--repo", repo, "--json");
    assertEquals(0, r.code(), r.toString());
    JsonArray a = new JsonObject(r.out()).getJsonArray("backups");
    return a.stream().map(JsonObject.class::cast).collect(Collectors.toMap(o -> o.getString("id"), o -> o));
  }

  @Test
  void eachPublishedBackupHasASummaryAndLostSummariesAreRebuiltFromTheArchives() throws Exception {
    String a = backup();
    String b = backup();
    assertTrue(Files.isRegularFile(repo.resolve("catalog/" + a + ".json")));
    assertEquals(0, CairnCli.run("verify", a, "--repo", repo).code());
    assertEquals("verified", listed().get(a).getJsonObject("verification").getString("state"));

    // a bare copy of the archives: the catalog is gone
    for (Path p : Files.list(repo.resolve("catalog")).toList()) {
      Files.delete(p);
    }
    Map<String, JsonObject> after = listed();
    assertEquals("ok", after.get(a).getString("status"));
    assertEquals(3000, after.get(b).getLong("rows"));
    assertEquals("unverified", after.get(a).getJsonObject("verification").getString("state"),
        "what the lost catalog knew of verification is not invented");
    assertTrue(Files.isRegularFile(repo.resolve("catalog/" + b + ".json")), "listing rebuilt the summary");

    Files.writeString(repo.resolve("catalog/" + a + ".json"), "{\"format\": 1, \"id\": "); // damaged
    Files.writeString(repo.resolve("catalog/" + db + "-20200101T000000Z.json"), "{}"); // orphan
    CairnCli.Run rebuild = CairnCli.run("catalog", "rebuild", "--repo", repo);
    assertEquals(0, rebuild.code(), rebuild.toString());
    assertTrue(rebuild.out().contains("2 summaries written, 0 damaged archives, 1 orphan summaries removed"),
        rebuild.out());
    assertEquals(3000, listed().get(a).getLong("rows"));
  }

  @Test
  void anArchiveCopiedUnderAnotherBackupsNameIsDamagedNotThatBackup() throws Exception {
    String a = backup();
    String fake = db + "-20200101T000000Z";
    Files.copy(repo.resolve(a + ".cairn"), repo.resolve(fake + ".cairn"));
    JsonObject e = listed().get(fake);
    assertEquals("damaged", e.getString("status"), e.encode());
    assertTrue(e.getString("error").contains("its manifest names backup " + a), e.encode());
    CairnCli.Run show = CairnCli.run("restore", fake, "--repo", repo, "--db", PG.conninfo("x"), "--create");
    assertEquals(7, show.code(), show.toString());
    assertEquals("ok", listed().get(a).getString("status"), "the original is unaffected");
  }

  @Test
  void aBackupWhoseArchiveIsGoneIsNotListedAndLatestSkipsIt() throws Exception {
    String a = backup();
    String b = backup();
    Files.delete(repo.resolve(b + ".cairn")); // deleted between the catalog's listing and the archive's
    assertEquals(List.of(a), List.copyOf(listed().keySet()));
    CairnCli.Run show = CairnCli.run("show", "latest", "--repo", repo);
    assertEquals(0, show.code(), show.toString());
    assertTrue(show.out().contains(a), show.out());
  }
}
