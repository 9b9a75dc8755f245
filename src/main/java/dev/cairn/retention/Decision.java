package dev.cairn.retention;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.util.List;
import java.util.Objects;

/**
 * Keep or delete one backup, and why: every reason that keeps it (a kept backup lists all of them), or
 * the one reason it goes ("no rule keeps it", "not a good backup"). Never without a reason.
 */
public record Decision(String id, boolean keep, List<String> reasons) {
  public Decision {
    Objects.requireNonNull(id, "id");
    reasons = List.copyOf(reasons);
    if (reasons.isEmpty()) {
      throw new CairnException(ErrorCode.INTERNAL, "decision for backup " + id + " has no reason");
    }
  }

  /** Reasons joined by "; ". */
  public String because() {
    return String.join("; ", reasons);
  }
}
