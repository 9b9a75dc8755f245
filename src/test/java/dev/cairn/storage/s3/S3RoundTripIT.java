package dev.cairn.storage.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Storage;
import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.CairnProcess;
import dev.cairn.testkit.DbCompare;
import dev.cairn.testkit.Fixtures;
import dev.cairn.testkit.PgCluster;
import dev.cairn.testkit.S3Server;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line on an S3 repository (S3Proxy): backup, list from a fresh process and from a bare
 * bucket, verify, restore and single-table restore identical to the source, prune. In-process commands
 * find the credentials in the aws.* system properties, the fresh process in the AWS variables.
 */
class S3RoundTripIT {
  private static final PgCluster PG = PgCluster.shared();
  private static final Pattern READ = Pattern.compile("read (\\d+) bytes of the (\\d+)-byte archive");
  @TempDir static Path dir;
  private static S3Server server;

  @BeforeAll
  static void start() throws Exception {
    server = S3Server.start(dir.resolve("s3"));
    server.bucket("backups");
    System.setProperty("aws.accessKeyId", S3Server.ACCESS_KEY);
    System.setProperty("aws.secretAccessKey", S3Server.SECRET_KEY);
  }

  @AfterAll
  static void stop() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    server.close();
  }

  private static Object[] repo(String prefix) {
    return new Object[] {"--repo", "s3://backups/" + prefix, "--s3-endpoint", server.endpoint(), "--s3-path-style",
        "--s3-region", S3Server.REGION};
  }

  private static CairnCli.Run cli(String prefix, Object... args) {
    Object[] all = new Object[args.length + 7];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(repo(prefix), 0, all, args.length, 7);
    return CairnCli.run(all);
  }

  private static S3Storage storage(String prefix) {
    return S3Storage.open(S3Server.location(server.endpoint(), "backups", prefix, S3Location.DEFAULT_PART_SIZE),
        S3Server.credentials(), S3Tuning.defaults(), Clock.systemUTC(), Map.of());
  }

  @Test
  void theFidelityFixtureRoundTripsThroughABucketListedFromAFreshProcessAndABareBucket() throws Exception {
    String src = Fixtures.fidelityCopy(PG);
    CairnCli.Run backup = cli("fid/", "backup", "--db", PG.conninfo(src), "--jobs", 2);
    assertEquals(0, backup.code(), backup.toString());
    String id = backup.lastLine();
    S3Storage s3 = storage("fid/");
    assertEquals(List.of(), s3.partials(), "no multipart upload is left behind");

    // The catalog gone (a bare copy of the archives): listing rebuilds it from the archive.
    for (Storage.ObjectInfo o : s3.list("catalog/")) {
      s3.delete(o.key());
    }
    Path log = dir.resolve("list.log");
    try (CairnProcess p = CairnProcess.start(log, S3Server.env(), List.of(), "list", "--json", "--repo",
        "s3://backups/fid/", "--s3-endpoint", server.endpoint(), "--s3-path-style")) {
      assertEquals(0, p.waitFor(60), p.log());
      assertTrue(p.log().contains("\"id\" : \"" + id + "\""), p.log());
      assertTrue(!p.log().contains(S3Server.SECRET_KEY), "the secret is never printed");
    }

    CairnCli.Run verify = cli("fid/", "verify", id);
    assertEquals(0, verify.code(), verify.toString());
    assertTrue(verify.out().startsWith("OK " + id), verify.out());

    String dst = src + "_s3";
    CairnCli.Run restore = cli("fid/", "restore", id, "--db", PG.conninfo(dst), "--create", "--jobs", 2);
    assertEquals(0, restore.code(), restore.toString());
    DbCompare.assertSameDatabase(PG, src, dst);
  }

  @Test
  void aSingleTableRestoreReadsOnlyThatTablesChunksFromTheBucket() throws Exception {
    String src = PG.newDatabase("one_table");
    PG.psql(src, "CREATE TABLE big (id int PRIMARY KEY, v text);"
        + " INSERT INTO big SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 60000) g;"
        + " CREATE TABLE small (id int PRIMARY KEY, v text);"
        + " INSERT INTO small SELECT g, 'small ' || g FROM generate_series(1, 500) g;");
    CairnCli.Run backup = cli("one/", "backup", "--db", PG.conninfo(src), "--chunk-size", "256k");
    assertEquals(0, backup.code(), backup.toString());
    String id = backup.lastLine();
    long bigStored;
    try (ArchiveReader r = Repository.of(storage("one/")).openArchive(id)) {
      Manifest m = Manifest.parse(r.manifestJson(), id);
      bigStored = m.tables().stream().filter(t -> t.name().equals("big")).flatMap(t -> t.parts().stream())
          .flatMap(p -> p.chunks().stream()).mapToLong(ChunkRef::storedLength).sum();
    }

    String dst = src + "_small";
    CairnCli.Run restore = cli("one/", "restore", id, "--db", PG.conninfo(dst), "--create", "--table", "public.small");
    assertEquals(0, restore.code(), restore.toString());
    Matcher read = READ.matcher(restore.err());
    assertTrue(read.find(), restore.err());
    long bytesRead = Long.parseLong(read.group(1));
    long archive = Long.parseLong(read.group(2));
    assertTrue(bigStored > archive / 2, "the other table is most of the archive: " + bigStored + " of " + archive);
    assertTrue(bytesRead <= archive - bigStored, "read " + bytesRead + " bytes of a " + archive
        + "-byte archive whose other table's chunks are " + bigStored + " bytes");
    String q = "SELECT count(*) || ' ' || md5(string_agg(v, ',' ORDER BY id)) FROM small";
    assertEquals(PG.psql(src, q), PG.psql(dst, q));
    assertEquals("0", PG.psql(dst, "SELECT count(*) FROM pg_class WHERE relname = 'big'").strip(),
        "the other table is not restored");
  }

  @Test
  void pruneOnABucketDeletesExactlyTheBackupsThePolicyDoesNotKeep() throws Exception {
    String src = PG.newDatabase("pruned");
    PG.psql(src, "CREATE TABLE t (id int); INSERT INTO t VALUES (1);");
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CairnCli.Run b = cli("prune/", "backup", "--db", PG.conninfo(src));
      assertEquals(0, b.code(), b.toString());
      ids.add(b.lastLine());
    }
    CairnCli.Run prune = cli("prune/", "prune", "--keep-last", 2);
    assertEquals(0, prune.code(), prune.toString());
    CairnCli.Run list = cli("prune/", "list", "--json");
    JsonArray left = new JsonObject(list.out()).getJsonArray("backups");
    List<String> listed = left.stream().map(o -> ((JsonObject) o).getString("id")).sorted().toList();
    assertEquals(ids.subList(1, 3).stream().sorted().toList(), listed, prune.toString());
    S3Storage s3 = storage("prune/");
    assertTrue(s3.stat(ids.get(0) + ".cairn").isEmpty(), "the archive is deleted");
    assertTrue(s3.stat("catalog/" + ids.get(0) + ".json").isEmpty(), "and its catalog summary");
    assertTrue(s3.stat("catalog/" + ids.get(2) + ".json").isPresent());
  }
}
