package dev.cairn.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The agent's HTTP API: loopback only by default, since it can start and delete backups.
 *
 * @param tokens who may call the API (none: every endpoint but health and the OpenAPI document refuses)
 * @param tls the certificate and key to serve HTTPS with, or null for plain HTTP
 * @param rateLimitPerMinute mutating requests (POST, DELETE) each token may make per minute; 0 turns the limit off
 * @param maxBodyBytes the largest request body accepted
 * @param metricsPublic whether GET /metrics answers without a token (else it needs a viewer token)
 * @param maxImportBytes the largest archive POST /api/v1/backups/import accepts
 * @param limits how long connections may idle and how many may be open
 * @param publicUrl the console's address as people reach it (links in notifications), or null
 */
public record HttpConfig(String bind, int port, List<Token> tokens, Tls tls, int rateLimitPerMinute,
    long maxBodyBytes, boolean metricsPublic, long maxImportBytes, Limits limits, String publicUrl) {
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8432;
  public static final int DEFAULT_RATE_LIMIT_PER_MINUTE = 10;
  public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
  public static final boolean DEFAULT_METRICS_PUBLIC = true;
  public static final long DEFAULT_MAX_IMPORT_BYTES = 64L << 30;
  public static final HttpConfig DEFAULTS = new HttpConfig(DEFAULT_BIND, DEFAULT_PORT);
  /** Token names: they appear in the audit log. */
  public static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}");
  public static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /** What a token may do; each role may do everything the ones before it may. */
  public enum Role {
    VIEWER, OPERATOR, ADMIN;

    public boolean allows(Role needed) {
      return compareTo(needed) >= 0;
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static final List<String> LABELS = List.of("viewer", "operator", "admin");
  }

  /** A bearer token, stored as the lowercase hex SHA-256 of the token itself. */
  public record Token(String name, Role role, String sha256) {}

  /**
   * Connection limits, so idle or slow clients cannot use up the agent's file descriptors.
   *
   * @param idleTimeout a connection with nothing read or written this long is closed
   * @param headerTimeout a new connection must have sent its first request's headers within this time
   * @param maxConnections connections open at once; at the limit the longest idle one is closed for a new one
   */
  public record Limits(java.time.Duration idleTimeout, java.time.Duration headerTimeout, int maxConnections) {
    public static final java.time.Duration DEFAULT_IDLE_TIMEOUT = java.time.Duration.ofSeconds(60);
    public static final java.time.Duration DEFAULT_HEADER_TIMEOUT = java.time.Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_CONNECTIONS = 64;
    public static final Limits DEFAULTS = new Limits(DEFAULT_IDLE_TIMEOUT, DEFAULT_HEADER_TIMEOUT,
        DEFAULT_MAX_CONNECTIONS);
  }

  /** PEM files: the certificate (chain) and its private key. */
  public record Tls(Path cert, Path key) {}

  public HttpConfig {
    tokens = List.copyOf(tokens);
  }

  /** The lowercase hex SHA-256 of a token's UTF-8 bytes: what http.tokens[].sha256 holds. */
  public static String sha256Hex(String token) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  public HttpConfig(String bind, int port) {
    this(bind, port, List.of(), null, DEFAULT_RATE_LIMIT_PER_MINUTE, DEFAULT_MAX_BODY_BYTES);
  }

  public HttpConfig(String bind, int port, List<Token> tokens, Tls tls, int rateLimitPerMinute, long maxBodyBytes) {
    this(bind, port, tokens, tls, rateLimitPerMinute, maxBodyBytes, DEFAULT_METRICS_PUBLIC);
  }

  public HttpConfig(String bind, int port, List<Token> tokens, Tls tls, int rateLimitPerMinute, long maxBodyBytes,
      boolean metricsPublic) {
    this(bind, port, tokens, tls, rateLimitPerMinute, maxBodyBytes, metricsPublic, DEFAULT_MAX_IMPORT_BYTES);
  }

  public HttpConfig(String bind, int port, List<Token> tokens, Tls tls, int rateLimitPerMinute, long maxBodyBytes,
      boolean metricsPublic, long maxImportBytes) {
    this(bind, port, tokens, tls, rateLimitPerMinute, maxBodyBytes, metricsPublic, maxImportBytes, Limits.DEFAULTS);
  }

  public HttpConfig(String bind, int port, List<Token> tokens, Tls tls, int rateLimitPerMinute, long maxBodyBytes,
      boolean metricsPublic, long maxImportBytes, Limits limits) {
    this(bind, port, tokens, tls, rateLimitPerMinute, maxBodyBytes, metricsPublic, maxImportBytes, limits, null);
  }
}
