package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * http.tls over real HTTPS: a self-signed certificate made with the openssl CLI (CN=localhost, SAN
 * localhost and 127.0.0.1), a client that trusts only that certificate, and plain HTTP refused.
 */
class TlsIT {
  @TempDir Path dir;

  @Test
  void theAgentServesHttpsWithTheConfiguredCertificateAndRefusesPlainHttp() throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        "-keyout", key.toString(), "-out", cert.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl did not finish");
    assertEquals(0, p.exitValue(), out);

    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("cairn-test", (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();

    String tls = "  tls:\n    cert: " + cert + "\n    key: " + key + "\n";
    try (ApiAgent api = ApiAgent.start(dir, "api_tls", true, tls, https)) {
      assertEquals("https", api.scheme);
      // health is 200 once the database has a good backup: take one, through the API over HTTPS
      assertEquals("succeeded", api.backup().getString("state"));
      HttpResponse<String> health = api.get("/api/v1/health", null);
      assertEquals(200, health.statusCode(), health.body());
      new JsonObject(health.body()); // JSON, over TLS
      // With a token too, to the name in the certificate as well as its address.
      assertEquals(200, api.get("/api/v1/whoami", ApiAgent.VIEWER).statusCode());
      HttpResponse<String> byName = https.send(HttpRequest.newBuilder(
          URI.create("https://localhost:" + api.port + "/api/v1/health")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, byName.statusCode());

      // A client that does not trust the certificate is refused by the handshake.
      HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      assertFails(untrusting, "https://127.0.0.1:" + api.port + "/api/v1/health");
      // Plain HTTP to the same port gets no HTTP answer.
      assertFails(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build(), "http://127.0.0.1:" + api.port + "/api/v1/health");
    }
  }

  private static void assertFails(HttpClient client, String uri) throws InterruptedException {
    try {
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30))
          .build(), HttpResponse.BodyHandlers.ofString());
      throw new AssertionError(uri + " answered " + r.statusCode() + ": " + r.body());
    } catch (IOException expected) {
      // refused: handshake failure, reset or closed connection
    }
  }
}
