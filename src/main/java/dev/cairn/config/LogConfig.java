package dev.cairn.config;

import java.util.List;

/** Log lines: {@code text} for people, {@code json} for collectors; level error, warn, info, debug or trace. */
public record LogConfig(String format, String level) {
  public static final String DEFAULT_FORMAT = "text";
  public static final String DEFAULT_LEVEL = "info";
  public static final List<String> FORMATS = List.of("text", "json");
  public static final List<String> LEVELS = List.of("error", "warn", "info", "debug", "trace");
  public static final LogConfig DEFAULTS = new LogConfig(DEFAULT_FORMAT, DEFAULT_LEVEL);
}
