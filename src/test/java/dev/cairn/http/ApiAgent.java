package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.agent.Agent;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.HttpConfig;
import dev.cairn.testkit.PgCluster;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The agent in-process for API tests: one database on the shared test cluster, a viewer, an operator and
 * an admin token, nothing scheduled (run_missed_on_start off, @yearly), and an HTTP client for loopback.
 * Records Vert.x blocked-thread warnings so that tests can fail on them.
 */
final class ApiAgent implements AutoCloseable {
  static final PgCluster PG = PgCluster.shared();
  static final String VIEWER = "viewer-token-0123456789abcdefghijklmnopqrstu";
  static final String OPERATOR = "operator-token-0123456789abcdefghijklmnopqrs";
  static final String ADMIN = "admin-token-0123456789abcdefghijklmnopqrstuv";
  static final String WRONG = "wrong-token-0123456789abcdefghijklmnopqrstuv";

  final Agent agent;
  final String db;
  final Path repo;
  final int port;
  final String scheme;
  private final HttpClient client;
  private final List<String> blocked = Collections.synchronizedList(new ArrayList<>());
  private final Handler blockedWatch = new Handler() {
    @Override
    public void publish(LogRecord r) {
      String m = r.getMessage();
      if (m != null && m.contains("has been blocked for")) {
        blocked.add(m);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  /** {@code httpExtra}: more lines under http: (two-space indented), e.g. "  rate_limit_per_minute: 3\n". */
  static ApiAgent start(Path dir, String dbPrefix, boolean tokens, String httpExtra, HttpClient client)
      throws Exception {
    return start(dir, dbPrefix, tokens, httpExtra, "", client);
  }

  /** {@code dbExtra}: more lines of the database's configuration (four-space indented). */
  static ApiAgent start(Path dir, String dbPrefix, boolean tokens, String httpExtra, String dbExtra, HttpClient client)
      throws Exception {
    return start(dir, dbPrefix, tokens, httpExtra, "", dbExtra, client);
  }

  /** {@code agentExtra}: more lines under agent: (two-space indented), e.g. "  history_limit: 5000\n". */
  static ApiAgent start(Path dir, String dbPrefix, boolean tokens, String httpExtra, String agentExtra, String dbExtra,
      HttpClient client) throws Exception {
    return start(dir, dbPrefix, tokens, httpExtra, agentExtra, "", dbExtra, client);
  }

  /** {@code sections}: more top-level sections, e.g. "encryption:\n  keys:\n ...". */
  static ApiAgent start(Path dir, String dbPrefix, boolean tokens, String httpExtra, String agentExtra,
      String sections, String dbExtra, HttpClient client) throws Exception {
    String db = PG.newDatabase(dbPrefix);
    PG.psql(db, "CREATE TABLE t (id int PRIMARY KEY, v text); "
        + "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 5000) g;"
        + "CREATE TABLE u AS SELECT g AS id FROM generate_series(1, 300) g;");
    Path repo = dir.resolve("repo");
    int port = freePort();
    String yaml = "repository:\n  path: " + repo + "\nhttp:\n  port: " + port + "\n"
        + (tokens ? tokens() : "")
        + httpExtra
        + "agent:\n  run_missed_on_start: false\n" + agentExtra + sections
        + "databases:\n  - name: " + db + "\n    url: " + PG.conninfo(db) + "\n    jobs: 1\n"
        + "    schedule: \"@yearly\"\n    max_age: 400d\n" + dbExtra;
    return new ApiAgent(ConfigLoader.parse(yaml, "api-test.yaml", Map.of(), dir), db, repo, port,
        httpExtra.contains("tls:") ? "https" : "http", client);
  }

  static ApiAgent start(Path dir, String dbPrefix, String httpExtra) throws Exception {
    return start(dir, dbPrefix, true, httpExtra, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());
  }

  /** The agent of any configuration ({@code db}: its database the helpers back up; {@code repo}: for the record). */
  static ApiAgent of(dev.cairn.config.CairnConfig config, String db, Path repo, int port) throws Exception {
    return new ApiAgent(config, db, repo, port, "http", HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .build());
  }

  /** The {@code tokens:} lines of http: giving the viewer, operator and admin tokens. */
  static String tokens() {
    return "  tokens:\n"
        + "    - {name: the-viewer, role: viewer, sha256: " + HttpConfig.sha256Hex(VIEWER) + "}\n"
        + "    - {name: the-operator, role: operator, sha256: " + HttpConfig.sha256Hex(OPERATOR) + "}\n"
        + "    - {name: the-admin, role: admin, sha256: " + HttpConfig.sha256Hex(ADMIN) + "}\n";
  }

  private ApiAgent(dev.cairn.config.CairnConfig config, String db, Path repo, int port, String scheme,
      HttpClient client) throws Exception {
    Logger.getLogger("").addHandler(blockedWatch);
    this.agent = Agent.start(config, Clock.systemUTC()).await(60, TimeUnit.SECONDS);
    this.db = db;
    this.repo = repo;
    this.port = port;
    this.scheme = scheme;
    this.client = client;
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  URI uri(String path) {
    return URI.create(scheme + "://127.0.0.1:" + port + path);
  }

  HttpResponse<String> send(String method, String path, String token, String body, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body != null && !java.util.Arrays.asList(headers).contains("Content-Type")) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> bytes(String path, String token, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60)).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    return send("GET", path, token, null);
  }

  JsonObject json(HttpResponse<String> r, int status) {
    assertEquals(status, r.statusCode(), r.body());
    return new JsonObject(r.body());
  }

  /** Starts a backup through the API and waits for it; returns the finished job. */
  JsonObject backup() throws Exception {
    JsonObject accepted = json(send("POST", "/api/v1/backups", OPERATOR, new JsonObject().put("database", db).encode()), 202);
    return waitFor(accepted.getJsonObject("job").getString("id"));
  }

  JsonObject waitFor(String jobId) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      JsonObject j = json(get("/api/v1/jobs/" + jobId, VIEWER), 200);
      String state = j.getString("state");
      if (!state.equals("queued") && !state.equals("running")) {
        return j;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("job " + jobId + " still " + state);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  List<String> blockedThreadWarnings() {
    return List.copyOf(blocked);
  }

  @Override
  public void close() throws Exception {
    try {
      agent.stop("test").await(30, TimeUnit.SECONDS);
    } finally {
      Logger.getLogger("").removeHandler(blockedWatch);
    }
    assertEquals(List.of(), blockedThreadWarnings(), "Vert.x blocked-thread warnings");
  }
}
