package dev.cairn.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping at a key path ({@code databases[0].retention}) with typed getters. A getter that finds
 * a bad value records a problem and returns the default, so validation goes on and reports everything.
 */
final class Section {
  /** A scalar after {@code ${VAR}} substitution; shown in messages without echoing values from the environment. */
  record Scalar(String text, String written, boolean substituted) {
    String shown() {
      return substituted ? "\"" + written + "\" (after substitution)" : "\"" + text + "\"";
    }
  }

  /** Tags a scalar may carry (implicit or written): the text is read as written either way. */
  private static final Set<Tag> PLAIN_TAGS = Set.of(Tag.STR, Tag.INT, Tag.BOOL, Tag.FLOAT, Tag.NULL, Tag.TIMESTAMP);

  private final String path;
  private final int line;
  private final Map<String, Node> entries = new LinkedHashMap<>();
  private final Map<String, Integer> keyLines = new LinkedHashMap<>();
  private final Problems problems;
  private final Map<String, String> env;

  private Section(String path, int line, Problems problems, Map<String, String> env) {
    this.path = path;
    this.line = line;
    this.problems = problems;
    this.env = env;
  }

  /** The mapping at node (null or a YAML null = empty); anything else is a problem and an empty section. */
  static Section of(Node node, String path, int line, Problems problems, Map<String, String> env) {
    Section s = new Section(path, node == null ? line : node.getStartMark().getLine(), problems, env);
    if (node == null || isNull(node)) {
      return s;
    }
    if (!(node instanceof MappingNode m)) {
      problems.add(s.line, path, "must be a mapping of keys (key: value)");
      return s;
    }
    for (NodeTuple t : m.getValue()) {
      Node k = t.getKeyNode();
      int keyLine = k.getStartMark().getLine();
      if (!(k instanceof ScalarNode ks)) {
        problems.add(keyLine, path, "keys must be plain names");
        continue;
      }
      Node previous = s.entries.putIfAbsent(ks.getValue(), t.getValueNode());
      if (previous != null) {
        problems.add(keyLine, s.path(ks.getValue()), "given twice (lines " + (s.keyLines.get(ks.getValue()) + 1)
            + " and " + (keyLine + 1) + ")");
      } else {
        s.keyLines.put(ks.getValue(), keyLine);
      }
    }
    return s;
  }

  static boolean isNull(Node n) {
    return n instanceof ScalarNode && n.getTag().equals(Tag.NULL);
  }

  String path() {
    return path;
  }

  String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  int line() {
    return line;
  }

  int line(String key) {
    return keyLines.getOrDefault(key, line);
  }

  void problem(String key, String what) {
    problems.add(line(key), key == null ? path : path(key), what);
  }

  /** Problems recorded so far in the whole file (a reader tells whether its own section added any). */
  int problemCount() {
    return problems.size();
  }

  /** Whether the value at key is a mapping (a nested section) rather than a single value. */
  boolean isMapping(String key) {
    return entries.get(key) instanceof MappingNode;
  }

  boolean has(String key) {
    Node n = entries.get(key);
    return n != null && !isNull(n);
  }

  /** Unknown keys are errors: a misspelt key would otherwise silently mean its default. */
  void known(List<String> keys) {
    for (String k : entries.keySet()) {
      if (!keys.contains(k)) {
        problems.add(line(k), path(k), "unknown key (known: " + String.join(", ", keys) + ")");
      }
    }
  }

  Section section(String key) {
    return of(entries.get(key), path(key), line, problems, env);
  }

  /** A list of mappings ({@code databases}); null when absent. */
  List<Section> sections(String key) {
    if (!has(key)) {
      return null;
    }
    Node n = entries.get(key);
    if (!(n instanceof SequenceNode seq)) {
      problem(key, "must be a list");
      return null;
    }
    List<Section> out = new ArrayList<>();
    for (int i = 0; i < seq.getValue().size(); i++) {
      out.add(of(seq.getValue().get(i), path(key) + "[" + i + "]", line(key), problems, env));
    }
    return out;
  }

  /** The scalar at key, substituted; null when absent, or (with a problem) when not a scalar. */
  Scalar scalar(String key) {
    if (!has(key)) {
      return null;
    }
    return scalar(entries.get(key), path(key));
  }

  private Scalar scalar(Node n, String at) {
    int l = n.getStartMark().getLine();
    if (!(n instanceof ScalarNode s)) {
      problems.add(l, at, "must be a single value, not a " + (n instanceof SequenceNode ? "list" : "mapping"));
      return null;
    }
    if (!PLAIN_TAGS.contains(s.getTag())) {
      problems.add(l, at, "tag " + s.getTag().getValue() + " is not allowed");
      return null;
    }
    String written = s.getValue();
    String text = Interpolation.apply(written, env, what -> problems.add(l, at, what));
    return text == null ? null : new Scalar(text, written, written.replace("$${", "").contains("${"));
  }

  /** A single string or a list of them, each with its path ({@code schedule} or {@code schedule[1]}). */
  List<Map.Entry<String, Scalar>> scalars(String key) {
    if (!has(key)) {
      return null;
    }
    Node n = entries.get(key);
    List<Map.Entry<String, Scalar>> out = new ArrayList<>();
    if (n instanceof SequenceNode seq) {
      for (int i = 0; i < seq.getValue().size(); i++) {
        String at = path(key) + "[" + i + "]";
        Scalar s = scalar(seq.getValue().get(i), at);
        if (s != null) {
          out.add(Map.entry(at, s));
        }
      }
    } else {
      Scalar s = scalar(n, path(key));
      if (s != null) {
        out.add(Map.entry(path(key), s));
      }
    }
    return out;
  }

  String string(String key, String def) {
    Scalar s = scalar(key);
    return s == null ? def : s.text();
  }

  int integer(String key, int def, int min, int max) {
    Scalar s = scalar(key);
    if (s == null) {
      return def;
    }
    String t = s.text().trim().replace("_", "");
    if (!t.matches("[+-]?[0-9]{1,10}") || Long.parseLong(t) > Integer.MAX_VALUE || Long.parseLong(t) < Integer.MIN_VALUE) {
      problem(key, s.shown() + " is not a whole number");
      return def;
    }
    int v = Integer.parseInt(t);
    if (v < min || v > max) {
      problem(key, v + (max == Integer.MAX_VALUE ? " must be " + min + " or more" : " is out of range " + min + "-" + max));
      return def;
    }
    return v;
  }

  boolean bool(String key, boolean def) {
    Scalar s = scalar(key);
    if (s == null) {
      return def;
    }
    switch (s.text().trim().toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on":
        return true;
      case "false", "no", "off":
        return false;
      default:
        problem(key, s.shown() + " is not true or false");
        return def;
    }
  }

  /** A duration of at least {@code min}. */
  Duration duration(String key, Duration def, Duration min) {
    Scalar s = scalar(key);
    if (s == null) {
      return def;
    }
    Duration d = Units.duration(s.text());
    if (d == null) {
      problem(key, s.shown() + " is not a duration (write e.g. 30s, 10m, 6h or 1d)");
      return def;
    }
    if (d.compareTo(min) < 0) {
      problem(key, s.text().trim() + (min.isZero() ? " must be 0 or more" : " must be at least " + Units.format(min)));
      return def;
    }
    return d;
  }

  /** A size in bytes from {@code min} to {@code max}. */
  long size(String key, long def, long min, long max) {
    Scalar s = scalar(key);
    if (s == null) {
      return def;
    }
    long v = Units.size(s.text());
    if (v < 0) {
      problem(key, s.shown() + " is not a size (write e.g. 64MB, 4MiB or 512KB)");
      return def;
    }
    if (v < min || v > max) {
      problem(key, s.text().trim() + (max == Long.MAX_VALUE ? " is below the minimum " + Units.formatSize(min)
          : " is out of range " + Units.formatSize(min) + " to " + Units.formatSize(max)));
      return def;
    }
    return v;
  }

  ZoneId zone(String key, ZoneId def) {
    Scalar s = scalar(key);
    if (s == null) {
      return def;
    }
    try {
      return ZoneId.of(s.text().trim()).normalized();
    } catch (RuntimeException e) {
      problem(key, s.shown() + " is not a known time zone (e.g. UTC, Europe/Berlin, America/New_York)");
      return def;
    }
  }

  /** One of the allowed words, lowercased. */
  String oneOf(String key, String def, List<String> allowed) {
    Scalar s = scalar(key);
    if (s == null) {
      return def;
    }
    String v = s.text().trim().toLowerCase(Locale.ROOT);
    if (!allowed.contains(v)) {
      problem(key, s.shown() + " is not one of " + String.join(", ", allowed));
      return def;
    }
    return v;
  }
}
