package dev.cairn.config;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.StringReader;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Reads YAML text into a node tree. Only composed, never constructed: no Java object is ever built from
 * the file (SafeConstructor is configured all the same), scalars keep the text as written (so
 * {@code 0123} stays a name, not octal 83), and every node keeps its line for ordering problems.
 */
final class YamlSource {
  private YamlSource() {}

  /** The root node, or null for an empty document; a syntax error names the line and column. */
  static Node compose(String yaml, String source) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setMaxAliasesForCollections(20);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit(1 << 20);
    DumperOptions dumper = new DumperOptions();
    Yaml yaml2 = new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options);
    try {
      return yaml2.compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String where = m == null ? "" : "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": ";
      String problem = e.getProblem() == null ? String.valueOf(e.getContext()) : e.getProblem();
      // SnakeYAML's advice about indentation misleads here: an unquoted @ or * value is the usual cause
      problem = problem.replaceAll("\\. \\(Do not use . for indentation\\)", "").replaceAll("\\s+", " ").trim();
      if (e.getContext() != null && e.getProblem() != null && !e.getContext().contains("next token")) {
        problem = e.getContext() + ": " + problem;
      }
      boolean quoting = problem.contains("'@'") || problem.contains("'`'") || problem.contains("alias")
          || problem.contains("anchor");
      throw new CairnException(ErrorCode.CONFIG, source + ": " + where + "yaml syntax error: " + problem,
          quoting ? "quote values that start with * or @, e.g. schedule: \"*/15 * * * *\" or \"@daily\"" : null);
    } catch (YAMLException e) {
      throw new CairnException(ErrorCode.CONFIG, source + ": yaml error: " + e.getMessage());
    }
  }
}
