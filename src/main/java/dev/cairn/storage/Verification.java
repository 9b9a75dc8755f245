package dev.cairn.storage;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * What is known of a backup's integrity: never checked, checked and good (when, how: a full verify of
 * checksums, row counts and digests), restored and proven by a restore test (when, how long, what was
 * checked: {@code test}), or checked and bad (when, and the first problem found: table, chunk, byte offset).
 */
public record Verification(State state, Instant at, String method, String problem, int problems, JsonObject test) {
  public enum State {
    UNVERIFIED,
    VERIFIED,
    /** Verified by restoring it and proving the restored database; good, as VERIFIED. */
    RESTORE_TESTED,
    FAILED;

    /** "unverified", "verified", "restore-tested", "failed". */
    public String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Verified or restore-tested. */
    public boolean good() {
      return this == VERIFIED || this == RESTORE_TESTED;
    }
  }

  public Verification(State state, Instant at, String method, String problem, int problems) {
    this(state, at, method, problem, problems, null);
  }

  public static final Verification UNVERIFIED = new Verification(State.UNVERIFIED, null, null, null, 0);

  /**
   * Restored and proven at {@code at}; {@code test} holds how long it took ({@code durationMs}, and
   * {@code restoreMs}: the recovery time) and what was checked.
   */
  public static Verification restoreTested(Instant at, String method, JsonObject test) {
    return new Verification(State.RESTORE_TESTED, at, method, null, 0, test);
  }

  public static Verification verified(Instant at, String method) {
    return new Verification(State.VERIFIED, at, method, null, 0);
  }

  public static Verification failed(Instant at, String method, String firstProblem, int problems) {
    return new Verification(State.FAILED, at, method, firstProblem, Math.max(1, problems));
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("state", state.label());
    if (at != null) {
      o.put("at", at.toString()).put("method", method);
    }
    if (state == State.FAILED) {
      o.put("problem", problem).put("problems", problems);
    }
    if (test != null) {
      o.put("restoreTest", test);
    }
    return o;
  }

  public static Verification fromJson(JsonObject o) {
    if (o == null) {
      return UNVERIFIED;
    }
    State s = State.valueOf(o.getString("state", "unverified").toUpperCase(Locale.ROOT).replace('-', '_'));
    String at = o.getString("at");
    return new Verification(s, at == null ? null : Instant.parse(at), o.getString("method"), o.getString("problem"),
        o.getInteger("problems", 0), o.getJsonObject("restoreTest"));
  }
}
