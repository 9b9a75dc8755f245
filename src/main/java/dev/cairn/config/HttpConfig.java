package dev.cairn.config;

/** The agent's HTTP API: loopback only by default, since it can start backups. */
public record HttpConfig(String bind, int port) {
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 8432;
  public static final HttpConfig DEFAULTS = new HttpConfig(DEFAULT_BIND, DEFAULT_PORT);
}
