package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two processes on one repository: an agent and a CLI command, two agents, two backups. Each race is
 * made deterministic with a pg_dump or pg_restore wrapper that waits while a flag file exists, so one
 * side is reliably mid-flight (holding its leases, its unfinished archive on disk) when the other acts.
 */
class RepositoryRacesIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;
  private Path repo;
  private Path stall;
  private String db;

  @BeforeEach
  void setUp() throws Exception {
    db = PG.newDatabase("races");
    PG.psql(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 5000) g;");
    repo = dir.resolve("repo");
    stall = dir.resolve("stall");
  }

  private List<String> partials() {
    try (Stream<Path> s = Files.list(repo)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".partial")).toList();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private Path agentConfig() throws Exception {
    Path config = dir.resolve("cairn.yaml");
    Files.writeString(config, "repository:\n  path: " + repo + "\nhttp:\n  port: " + CairnProcess.freePort()
        + "\nagent:\n  run_missed_on_start: false\ndatabases:\n  - name: other\n    url: " + PG.conninfo(db)
        + "\n    schedule: \"@yearly\"\n    max_age: 400d\n");
    return config;
  }

  private String backup() {
    CairnCli.Run r = CairnCli.run("backup", "--db", PG.conninfo(db), "--repo", repo);
    assertEquals(0, r.code(), r.toString());
    return r.lastLine();
  }

  @Test
  void anAgentStartingDuringACliBackupLeavesItsUnfinishedArchiveAloneAndTheBackupSucceeds() throws Exception {
    Files.writeString(stall, "");
    Path bin = CairnProcess.stalledTool(dir.resolve("bin"), "pg_dump", PG.pgDump(), stall);
    try (CairnProcess cli = CairnProcess.start(dir.resolve("backup.log"), "backup", "--db", PG.conninfo(db),
        "--repo", repo, "--pg-bin", bin);
        CairnProcess agent = CairnProcess.start(dir.resolve("agent.log"), "agent", "--config", agentConfig())) {
      cli.await(() -> partials().size() == 1, 60, "the CLI backup has its unfinished archive on disk");
      String partial = partials().get(0);
      agent.await(() -> agent.log().contains("agent started"), 60, "the agent has started (and cleaned up)");
      assertEquals(List.of(partial), partials(), "the live backup's unfinished archive is not a leftover");
      Files.delete(stall);
      assertEquals(0, cli.waitFor(60), cli.log());
      String id = cli.log().strip().lines().reduce((a, b) -> b).orElseThrow();
      assertTrue(Files.isRegularFile(repo.resolve(id + ".cairn")), cli.log());
    }
  }

  @Test
  void aSecondAgentOnTheSameRepositoryRefusesToStartAndNamesTheFirst() throws Exception {
    Path config = agentConfig();
    try (CairnProcess first = CairnProcess.start(dir.resolve("agent.log"), "agent", "--config", config)) {
      first.await(() -> first.log().contains("agent started"), 60, "the first agent has started");
      Files.writeString(config, Files.readString(config).replaceAll("port: \\d+", "port: " + CairnProcess.freePort()));
      CairnCli.Run second = CairnCli.run("agent", "--config", config);
      assertEquals(10, second.code(), second.toString());
      assertTrue(second.err().contains("REPO_LOCKED") && second.err().contains("pid " + first.pid() + " on ")
          && second.err().contains("since "), second.err());
    }
  }

  @Test
  void deleteAndPruneDuringARestoreInAnotherProcessLeaveTheBackupAndSayWho() throws Exception {
    String old = backup();
    String newer = backup();
    Files.writeString(stall, "");
    Path bin = CairnProcess.stalledTool(dir.resolve("bin"), "pg_restore", PG.pgRestore(), stall);
    String target = "races_target_" + Long.toHexString(System.nanoTime());
    try (CairnProcess restore = CairnProcess.start(dir.resolve("restore.log"), "restore", old, "--repo", repo,
        "--db", PG.conninfo(target), "--create", "--pg-bin", bin)) {
      restore.await(() -> !new Leases(LocalStorage.open(repo), java.time.Clock.systemUTC()).live("use-" + old + ".")
          .isEmpty(), 60, "the restore holds its use lease");

      CairnCli.Run delete = CairnCli.run("delete", old, "--repo", repo, "--yes");
      assertEquals(10, delete.code(), delete.toString());
      assertTrue(delete.err().contains("BACKUP_IN_USE") && delete.err().contains("pid " + restore.pid())
          && delete.err().contains("cairn restore"), delete.err());

      CairnCli.Run prune = CairnCli.run("prune", "--repo", repo, "--keep-last", "1");
      assertEquals(0, prune.code(), prune.toString());
      assertTrue(prune.out().contains("in use by pid " + restore.pid()), prune.out());
      assertTrue(Files.isRegularFile(repo.resolve(old + ".cairn")), "the backup being restored stays");

      Files.delete(stall);
      assertEquals(0, restore.waitFor(120), restore.log());
    }
    CairnCli.Run delete = CairnCli.run("delete", old, "--repo", repo, "--yes");
    assertEquals(0, delete.code(), "deletable once the restore is done: " + delete);
    assertTrue(Files.isRegularFile(repo.resolve(newer + ".cairn")));
    PG.dropDatabase(target);
  }

  @Test
  void twoBackupsOfOneDatabaseStartedTogetherBothSucceedWithTheirOwnIds() throws Exception {
    Files.writeString(stall, "");
    Path bin = CairnProcess.stalledTool(dir.resolve("bin"), "pg_dump", PG.pgDump(), stall);
    Files.createDirectories(repo);
    try (CairnProcess a = CairnProcess.start(dir.resolve("a.log"), "backup", "--db", PG.conninfo(db), "--repo", repo,
        "--pg-bin", bin, "--name", "same");
        CairnProcess b = CairnProcess.start(dir.resolve("b.log"), "backup", "--db", PG.conninfo(db), "--repo", repo,
            "--pg-bin", bin, "--name", "same")) {
      a.await(() -> partials().size() == 2, 60, "both backups have reserved an id and are writing");
      Files.delete(stall);
      assertEquals(0, a.waitFor(60), a.log());
      assertEquals(0, b.waitFor(60), b.log());
      String idA = a.log().strip().lines().reduce((x, y) -> y).orElseThrow();
      String idB = b.log().strip().lines().reduce((x, y) -> y).orElseThrow();
      assertNotEquals(idA, idB);
      assertTrue(Files.isRegularFile(repo.resolve(idA + ".cairn")) && Files.isRegularFile(repo.resolve(idB + ".cairn")));
    }
  }
}
