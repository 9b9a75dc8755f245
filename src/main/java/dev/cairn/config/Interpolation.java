package dev.cairn.config;

import java.util.Map;
import java.util.function.Consumer;

/** {@code ${VAR}} substitution from the environment; {@code $${} writes a literal {@code ${}. */
final class Interpolation {
  private Interpolation() {}

  /** The substituted text, or null after reporting what is wrong (a missing variable, an unclosed brace). */
  static String apply(String text, Map<String, String> env, Consumer<String> problem) {
    if (!text.contains("${")) {
      return text;
    }
    StringBuilder out = new StringBuilder();
    boolean ok = true;
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int end = text.indexOf('}', i + 2);
        if (end < 0) {
          problem.accept("\"${\" is not closed by \"}\" (write $${ for a literal ${)");
          return null;
        }
        String name = text.substring(i + 2, end);
        if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
          problem.accept("${" + name + "} is not a variable name (letters, digits and _)");
          ok = false;
        } else if (env.get(name) == null) {
          problem.accept("environment variable " + name + " is not set");
          ok = false;
        } else {
          out.append(env.get(name));
        }
        i = end + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return ok ? out.toString() : null;
  }
}
