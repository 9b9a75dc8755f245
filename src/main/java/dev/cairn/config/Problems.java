package dev.cairn.config;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Every problem found while validating, so that one run reports them all, in the order of the file. */
final class Problems {
  private record Problem(int line, int seq, String text) {}

  private final List<Problem> list = new ArrayList<>();

  /** Records {@code <path>: <what>}; line (0-based, or large when unknown) orders the report. */
  void add(int line, String path, String what) {
    list.add(new Problem(line, list.size(), (path.isEmpty() ? "" : path + ": ") + what));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  int size() {
    return list.size();
  }

  List<String> lines() {
    return list.stream().sorted(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::seq))
        .map(Problem::text).toList();
  }

  CairnException exception(String source) {
    List<String> lines = lines();
    String head = source + ": " + lines.size() + (lines.size() == 1 ? " problem" : " problems");
    return new CairnException(ErrorCode.CONFIG, head + "\n" + String.join("\n", lines),
        "fix " + (lines.size() == 1 ? "this key" : "these keys") + " in " + source
            + "; conf/cairn.yaml documents every setting");
  }
}
