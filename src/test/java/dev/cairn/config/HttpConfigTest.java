package dev.cairn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http.tokens, http.tls, the rate limit and the body limit: read, and each mistake named by its key. */
class HttpConfigTest {
  private static final String HASH_A = HttpConfig.sha256Hex("token-a");
  private static final String HASH_B = HttpConfig.sha256Hex("token-b");

  @TempDir Path tmp;
  private Path repo;

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectory(tmp.resolve("repo"));
  }

  private String yaml(String http) {
    return "repository:\n  path: " + repo + "\ndatabases:\n  - name: app\n    url: postgresql://backup@db1/app\n"
        + "    schedule: \"0 2 * * *\"\nhttp:\n" + http;
  }

  private HttpConfig load(String http) {
    return ConfigLoader.parse(yaml(http), "test.yaml", Map.of(), tmp).http();
  }

  private List<String> problems(String http) {
    CairnException e = assertThrows(CairnException.class, () -> load(http));
    assertEquals(ErrorCode.CONFIG, e.code());
    List<String> lines = Arrays.asList(e.getMessage().split("\n"));
    return lines.subList(1, lines.size());
  }

  @Test
  void tokensAreReadWithTheirRoles() {
    HttpConfig c = load("  tokens:\n    - {name: ops, role: admin, sha256: " + HASH_A + "}\n"
        + "    - name: grafana\n      role: Viewer\n      sha256: " + HASH_B.toUpperCase() + "\n");
    assertEquals(List.of(new HttpConfig.Token("ops", HttpConfig.Role.ADMIN, HASH_A),
        new HttpConfig.Token("grafana", HttpConfig.Role.VIEWER, HASH_B)), c.tokens());
  }

  @Test
  void noTokensByDefaultAndTheLimitsHaveDefaults() {
    HttpConfig c = load("  port: 9000\n");
    assertEquals(List.of(), c.tokens());
    assertEquals(HttpConfig.DEFAULT_RATE_LIMIT_PER_MINUTE, c.rateLimitPerMinute());
    assertEquals(64 * 1024, c.maxBodyBytes());
    assertEquals(null, c.tls());
  }

  @Test
  void eachTokenMistakeNamesItsKey() {
    assertEquals(List.of(
        "http.tokens[0].sha256: must be 64 hex digits, the SHA-256 of the token, not the token itself"
            + " (cairn token --role ROLE prints the line to paste)",
        "http.tokens[1].role: \"root\" is not one of viewer, operator, admin",
        "http.tokens[2].name: missing (who holds the token, e.g. ops-laptop; it appears in the audit log)",
        "http.tokens[2].role: missing (one of viewer, operator, admin)",
        "http.tokens[3].shaa256: unknown key (known: name, role, sha256)",
        "http.tokens[3].name: \"../x\" must be 1 to 63 letters, digits, _ . @ or -, starting with a letter or digit",
        "http.tokens[3].sha256: missing (the hex SHA-256 of the token; cairn token --role ROLE prints the line to paste)"),
        problems("  tokens:\n"
            + "    - {name: a, role: admin, sha256: kq3Xn0uXh8sV0ZpQ9wLrT5yB2cD4eF6gH7iJ8kL9mN0}\n"
            + "    - {name: b, role: root, sha256: " + HASH_A + "}\n"
            + "    - {sha256: " + HASH_B + "}\n"
            + "    - {name: ../x, role: viewer, shaa256: " + HASH_B + "}\n"));
  }

  @Test
  void aNameOrATokenUsedTwiceIsAnError() {
    assertEquals(List.of(
        "http.tokens[1].name: \"ops\" is used twice (also http.tokens[0])",
        "http.tokens[2].sha256: the same token as http.tokens[0]; give each holder their own token"),
        problems("  tokens:\n    - {name: ops, role: admin, sha256: " + HASH_A + "}\n"
            + "    - {name: ops, role: viewer, sha256: " + HASH_B + "}\n"
            + "    - {name: other, role: viewer, sha256: " + HASH_A + "}\n"));
  }

  @Test
  void tlsNeedsBothReadablePemFiles() throws IOException {
    Path cert = Files.writeString(tmp.resolve("cert.pem"), "x");
    assertEquals(List.of("http.tls.key: missing (a PEM file: tls needs both cert and key)"),
        problems("  tls:\n    cert: " + cert + "\n"));
    assertEquals(List.of("http.tls.key: " + tmp.resolve("nope.pem") + " does not exist or is not a file"),
        problems("  tls:\n    cert: " + cert + "\n    key: " + tmp.resolve("nope.pem") + "\n"));
    HttpConfig c = load("  tls:\n    cert: " + cert + "\n    key: " + cert + "\n");
    assertEquals(new HttpConfig.Tls(cert, cert), c.tls());
  }

  @Test
  void rateAndBodyLimitsAreChecked() {
    assertEquals(List.of("http.rate_limit_per_minute: -1 is out of range 0-100000",
        "http.max_body_size: 10 is out of range 1KiB to 64MiB"),
        problems("  rate_limit_per_minute: -1\n  max_body_size: 10\n"));
    HttpConfig c = load("  rate_limit_per_minute: 0\n  max_body_size: 1MB\n");
    assertEquals(0, c.rateLimitPerMinute());
    assertEquals(1 << 20, c.maxBodyBytes());
  }

  @Test
  void metricsArePublicUnlessTurnedOff() {
    assertTrue(load("  port: 8432\n").metricsPublic());
    assertEquals(false, load("  metrics_public: false\n").metricsPublic());
    assertEquals(List.of("http.metrics_public: \"maybe\" is not true or false"), problems("  metrics_public: maybe\n"));
  }

  @Test
  void theHashIsOfTheTokensUtf8Bytes() {
    // echo -n abc | sha256sum
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", HttpConfig.sha256Hex("abc"));
    assertTrue(HttpConfig.SHA256_HEX.matcher(HASH_A).matches());
  }
}
