package dev.cairn.testkit;

import dev.cairn.agent.Agent;
import dev.cairn.archive.ArchiveFormat;
import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.HttpConfig;
import dev.cairn.storage.BackupCatalog;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The listing figure of the repository-foundation issue: a repository of N backups whose manifests
 * each describe S TiB in 4 MiB chunks (the archives hold header, manifest and trailer: listing and
 * show never read data chunks), then times {@code Backups.list} (what {@code cairn list} does),
 * {@code GET /api/v1/backups} on an agent, and, for comparison, parsing one such manifest (what every
 * listed backup cost before the catalog). Run by {@code scripts/bench-catalog}.
 *
 * <p>usage: CatalogBench DIR [COUNT=1000] [TIB=1]
 */
public final class CatalogBench {
  private CatalogBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    double tib = args.length > 2 ? Double.parseDouble(args[2]) : 1;
    Path repoDir = dir.resolve("repo");
    Repository repo = Repository.openForWrite(repoDir);
    int chunk = 4 << 20;
    long chunks = (long) (tib * (1L << 40) / chunk);
    long t0 = System.nanoTime();
    if (repo.ids().size() < count) {
      generate(repo, count, chunks, chunk);
    }
    System.out.printf("repository: %d backups, each manifest %d chunk refs (%.1f TiB), generated in %.1f s%n",
        count, chunks, tib, (System.nanoTime() - t0) / 1e9);
    try (ArchiveReader r = repo.openArchive(repo.ids().get(0))) {
      byte[] json = r.manifestJson();
      long p0 = System.nanoTime();
      Manifest.parse(json, "bench");
      System.out.printf("one manifest: %.1f MB of JSON, %.2f s to read and parse (before the catalog: x%d per listing)%n",
          json.length / 1e6, (System.nanoTime() - p0) / 1e9, count);
    }
    for (int i = 0; i < 3; i++) {
      long l0 = System.nanoTime();
      int n = Backups.list(repo).size();
      System.out.printf("Backups.list (cairn list): %d backups in %d ms%n", n, (System.nanoTime() - l0) / 1_000_000);
    }
    api(dir, repoDir);
  }

  private static void generate(Repository repo, int count, long chunks, int chunk) {
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    String placeholder = "big-20260101T000000Z";
    List<ChunkRef> refs = new ArrayList<>((int) chunks);
    for (long i = 0; i < chunks; i++) {
      refs.add(new ChunkRef(16 + i * (chunk / 3), chunk / 3, chunk, (int) (i * 2654435761L), ArchiveFormat.KIND_DATA,
          1, 0));
    }
    Manifest.Part part = new Manifest.Part(null, null, chunks * 40_000, 0x1234L, chunks * chunk, refs);
    Manifest.Table table = new Manifest.Table(16384, "public", "big", false, List.of("id", "v"), chunks * chunk,
        chunks * 40_000, 0x1234L, List.of(part), List.of(), List.of());
    Manifest m = new Manifest(Manifest.FORMAT_VERSION, placeholder, "big", "bench", "15.0", 150000, "15.0", "UTF8",
        "snap", base, base, base.plusSeconds(3600), new JsonObject(), List.of(), List.of(table), List.of(), List.of());
    byte[] json = m.toBytes();
    String text = new String(json, StandardCharsets.UTF_8);
    for (int i = 0; i < count; i++) {
      Instant at = base.plus(Duration.ofHours(i));
      String id = "big-" + java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
          .withZone(java.time.ZoneOffset.UTC).format(at);
      if (repo.exists(id)) {
        continue;
      }
      byte[] mine = text.replace(placeholder, id).getBytes(StandardCharsets.UTF_8);
      ArchiveWriter w = repo.createArchive(id);
      w.finish(mine);
      Manifest mm = new Manifest(m.formatVersion(), id, m.database(), m.toolVersion(), m.serverVersion(),
          m.serverVersionNum(), m.pgDumpVersion(), m.encoding(), m.snapshotId(), at, at, at.plusSeconds(3600),
          m.options(), m.schemaChunks(), m.tables(), m.sequences(), m.matviews());
      repo.catalog().put(BackupCatalog.Summary.of(mm, id, w.bytesWritten(), Verification.UNVERIFIED));
      if (i % 100 == 99) {
        System.out.printf("  %d archives written%n", i + 1);
      }
    }
  }

  private static void api(Path dir, Path repoDir) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String token = "bench-viewer-token-0123456789abcdefghijklmnop";
    String yaml = "repository:\n  path: " + repoDir + "\nhttp:\n  port: " + port + "\n  tokens:\n"
        + "    - {name: bench, role: viewer, sha256: " + HttpConfig.sha256Hex(token) + "}\n"
        + "agent:\n  run_missed_on_start: false\ndatabases:\n  - name: big\n    url: postgresql://nobody@127.0.0.1:1/big\n"
        + "    schedule: \"@yearly\"\n    max_age: 4000d\n";
    Agent agent = Agent.start(ConfigLoader.parse(yaml, "bench.yaml", Map.of(), dir), Clock.systemUTC())
        .await(120, TimeUnit.SECONDS);
    try {
      HttpClient c = HttpClient.newHttpClient();
      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
            + "/api/v1/backups")).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        System.out.printf("GET /api/v1/backups: HTTP %d, %d backups, %d ms%n", r.statusCode(),
            new JsonObject(r.body()).getJsonArray("backups").size(), (System.nanoTime() - t0) / 1_000_000);
      }
    } finally {
      agent.stop("bench").await(30, TimeUnit.SECONDS);
    }
  }
}
