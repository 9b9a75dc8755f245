package dev.cairn.dump;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code --table} / {@code --exclude-table} patterns: {@code [schema.]name} with {@code *} and {@code ?}
 * wildcards, matched case-sensitively against catalog names. Without a schema a pattern matches the name
 * in any schema. No include pattern means every table.
 */
public final class TableFilter {
  private final List<String> includes;
  private final List<String> excludes;
  private final List<Pattern[]> inc;
  private final List<Pattern[]> exc;

  public TableFilter(List<String> includes, List<String> excludes) {
    this.includes = List.copyOf(includes);
    this.excludes = List.copyOf(excludes);
    this.inc = includes.stream().map(TableFilter::compile).toList();
    this.exc = excludes.stream().map(TableFilter::compile).toList();
  }

  public static TableFilter all() {
    return new TableFilter(List.of(), List.of());
  }

  public boolean isAll() {
    return includes.isEmpty() && excludes.isEmpty();
  }

  public List<String> includes() {
    return includes;
  }

  public List<String> excludes() {
    return excludes;
  }

  public boolean matches(String schema, String name) {
    boolean in = inc.isEmpty() || inc.stream().anyMatch(p -> match(p, schema, name));
    return in && exc.stream().noneMatch(p -> match(p, schema, name));
  }

  /** The same pattern in pg_dump's syntax (always schema-qualified, names quoted). */
  public static String toPgDumpPattern(String pattern) {
    int dot = pattern.indexOf('.');
    String schema = dot < 0 ? "*" : pattern.substring(0, dot);
    String name = dot < 0 ? pattern : pattern.substring(dot + 1);
    return quotePart(schema) + "." + quotePart(name);
  }

  private static String quotePart(String part) {
    // pg_dump: wildcards only act outside double quotes
    StringBuilder sb = new StringBuilder();
    StringBuilder lit = new StringBuilder();
    for (char c : part.toCharArray()) {
      if (c == '*' || c == '?') {
        if (lit.length() > 0) {
          sb.append('"').append(lit.toString().replace("\"", "\"\"")).append('"');
          lit.setLength(0);
        }
        sb.append(c);
      } else {
        lit.append(c);
      }
    }
    if (lit.length() > 0) {
      sb.append('"').append(lit.toString().replace("\"", "\"\"")).append('"');
    }
    return sb.toString();
  }

  private static boolean match(Pattern[] p, String schema, String name) {
    return (p[0] == null || p[0].matcher(schema).matches()) && p[1].matcher(name).matches();
  }

  private static Pattern[] compile(String pattern) {
    if (pattern == null || pattern.isBlank() || pattern.chars().filter(c -> c == '.').count() > 1) {
      throw new CairnException(ErrorCode.USAGE, "table pattern \"" + pattern + "\" is not of the form [schema.]name",
          "use * and ? as wildcards, e.g. --table 'sales.*'");
    }
    int dot = pattern.indexOf('.');
    return dot < 0 ? new Pattern[] {null, glob(pattern)}
        : new Pattern[] {glob(pattern.substring(0, dot)), glob(pattern.substring(dot + 1))};
  }

  private static Pattern glob(String g) {
    StringBuilder re = new StringBuilder();
    for (char c : g.toCharArray()) {
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }
}
