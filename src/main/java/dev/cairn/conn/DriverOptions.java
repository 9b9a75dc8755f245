package dev.cairn.conn;

import static dev.cairn.conn.ConninfoParser.error;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** Builds the options of both drivers from a {@link ConnSpec}, with libpq's sslmode semantics. */
final class DriverOptions {
  private DriverOptions() {}

  /**
   * vertx-pg-client options. A unix-socket host becomes a domain socket {@code <dir>/.s.PGSQL.<port>}
   * (supported by Vert.x 5's JDK transport on JDK 16+). SSL: allow/prefer/require trust any
   * certificate (libpq does not verify in these modes); verify-ca trusts the PEM root certificate;
   * verify-full also checks the host name ("HTTPS" algorithm).
   */
  static PgConnectOptions pgConnectOptions(ConnSpec s) {
    checkHostaddr(s);
    PgConnectOptions o =
        new PgConnectOptions()
            .setHost(s.connectHost())
            .setPort(s.port())
            .setDatabase(s.database())
            .setUser(s.user())
            // the Vert.x default password is "pass": never send that
            .setPassword(s.hasPassword() ? s.password() : "")
            .addProperty("application_name", s.applicationName());
    if (s.options() != null) {
      o.addProperty("options", s.options());
    }
    // libpq never asks for TLS over a unix socket, whatever sslmode says (the server would refuse it)
    o.setSslMode(s.usesUnixSocket() ? SslMode.DISABLE : vertxSslMode(s.sslMode()));
    if (!s.sslMode().equals("disable") && !s.usesUnixSocket()) {
      ClientSSLOptions ssl = new ClientSSLOptions();
      if (verifies(s)) {
        ssl.setTrustOptions(new PemTrustOptions().addCertPath(rootCert(s).toString()));
        ssl.setHostnameVerificationAlgorithm(s.sslMode().equals("verify-full") ? "HTTPS" : "");
      } else {
        ssl.setTrustAll(true);
        ssl.setHostnameVerificationAlgorithm("");
      }
      Path[] pair = clientCert(s);
      if (pair != null) {
        ssl.setKeyCertOptions(
            new PemKeyCertOptions().setCertPath(pair[0].toString()).setKeyPath(pair[1].toString()));
      }
      o.setSslOptions(ssl);
    }
    return o;
  }

  private static SslMode vertxSslMode(String mode) {
    switch (mode) {
      case "disable":
        return SslMode.DISABLE;
      case "allow":
        return SslMode.ALLOW;
      case "prefer":
        return SslMode.PREFER;
      case "require":
        return SslMode.REQUIRE;
      case "verify-ca":
        return SslMode.VERIFY_CA;
      case "verify-full":
        return SslMode.VERIFY_FULL;
      default:
        throw new IllegalStateException("sslmode " + mode);
    }
  }

  /**
   * pgjdbc URL: host, port and URL-encoded database only. For a unix socket the host is a placeholder:
   * {@link UnixSocketFactory} connects to the socket file.
   */
  static String jdbcUrl(ConnSpec s) {
    checkHostaddr(s);
    String h = s.usesUnixSocket() ? "localhost" : s.connectHost();
    String hostPart = h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    return "jdbc:postgresql://" + hostPart + ":" + s.port() + "/" + ConninfoParser.encode(s.database());
  }

  /**
   * pgjdbc properties. pgjdbc's default LibPQFactory already follows libpq: it verifies the server
   * certificate only for verify-ca/verify-full, so no sslfactory is set (NonValidatingFactory would also
   * drop the client certificate).
   */
  static Properties jdbcProperties(ConnSpec s) {
    checkHostaddr(s);
    Properties p = new Properties();
    p.setProperty("user", s.user());
    if (s.hasPassword()) {
      p.setProperty("password", s.password());
    }
    if (s.usesUnixSocket()) {
      p.setProperty("socketFactory", UnixSocketFactory.class.getName());
      p.setProperty("socketFactoryArg", unixSocketFile(s));
      p.setProperty("sslmode", "disable"); // as libpq: no TLS or GSS encryption over a unix socket
      p.setProperty("gssEncMode", "disable");
    } else {
      p.setProperty("sslmode", s.sslMode());
      if (verifies(s)) {
        p.setProperty("sslrootcert", rootCert(s).toString());
      } else if (s.sslRootCert() != null) {
        p.setProperty("sslrootcert", s.sslRootCert());
      }
      Path[] pair = s.sslMode().equals("disable") ? null : clientCert(s);
      if (pair != null) {
        p.setProperty("sslcert", pair[0].toString());
        p.setProperty("sslkey", pair[1].toString());
      }
    }
    p.setProperty("ApplicationName", s.applicationName());
    if (s.connectTimeoutSeconds() > 0) {
      p.setProperty("connectTimeout", Integer.toString(s.connectTimeoutSeconds()));
    }
    if (s.options() != null) {
      p.setProperty("options", s.options());
    }
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("assumeMinServerVersion", "12");
    return p;
  }

  /** The server's socket file in a unix socket directory, as libpq names it. */
  private static String unixSocketFile(ConnSpec s) {
    return Path.of(s.host()).resolve(".s.PGSQL." + s.port()).toString();
  }

  private static void checkHostaddr(ConnSpec s) {
    if (s.hostaddr() != null && s.host() != null && !s.hostaddr().equals(s.host())
        && s.sslMode().equals("verify-full")) {
      // both drivers would check the certificate against hostaddr, not host
      throw error(
          "hostaddr together with host is not supported with sslmode=verify-full",
          "give only host, or use sslmode=verify-ca");
    }
  }

  private static boolean verifies(ConnSpec s) {
    return s.sslMode().equals("verify-ca") || s.sslMode().equals("verify-full");
  }

  /** The root certificate for verify-ca/verify-full; must exist, as libpq requires. */
  static Path rootCert(ConnSpec s) {
    String configured = s.sslRootCert();
    if ("system".equals(configured)) {
      throw error(
          "sslrootcert=system is not supported",
          "give the path of a PEM file with the root certificate(s) in sslrootcert");
    }
    Path p =
        configured != null
            ? Path.of(configured)
            : s.homeDir() == null ? Path.of(".postgresql", "root.crt") : s.homeDir().resolve(".postgresql/root.crt");
    if (!Files.isReadable(p)) {
      throw error(
          "root certificate file \"" + p + "\" does not exist or is not readable: sslmode="
              + s.sslMode() + " needs it to verify the server certificate",
          "provide the file, set sslrootcert to its path, or use sslmode=require to skip verification");
    }
    return p;
  }

  /** Client certificate and key: both given, or libpq's defaults when both default files exist. */
  static Path[] clientCert(ConnSpec s) {
    if (s.sslCert() != null || s.sslKey() != null) {
      Path dir = s.homeDir() == null ? Path.of(".postgresql") : s.homeDir().resolve(".postgresql");
      Path cert = s.sslCert() != null ? Path.of(s.sslCert()) : dir.resolve("postgresql.crt");
      Path key = s.sslKey() != null ? Path.of(s.sslKey()) : dir.resolve("postgresql.key");
      return new Path[] {cert, key};
    }
    if (s.homeDir() == null) {
      return null;
    }
    Path cert = s.homeDir().resolve(".postgresql/postgresql.crt");
    Path key = s.homeDir().resolve(".postgresql/postgresql.key");
    return Files.isRegularFile(cert) && Files.isRegularFile(key) ? new Path[] {cert, key} : null;
  }
}
