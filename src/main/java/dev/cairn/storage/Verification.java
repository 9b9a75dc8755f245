package dev.cairn.storage;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;

/**
 * What is known of a backup's integrity: never checked, checked and good (when, how: a full verify of
 * checksums, row counts and digests, or a restore test), or checked and bad (when, and the first
 * problem found: table, chunk, byte offset).
 */
public record Verification(State state, Instant at, String method, String problem, int problems) {
  public enum State {
    UNVERIFIED,
    VERIFIED,
    FAILED;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Verification UNVERIFIED = new Verification(State.UNVERIFIED, null, null, null, 0);

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
    return o;
  }

  public static Verification fromJson(JsonObject o) {
    if (o == null) {
      return UNVERIFIED;
    }
    State s = State.valueOf(o.getString("state", "unverified").toUpperCase(Locale.ROOT));
    String at = o.getString("at");
    return new Verification(s, at == null ? null : Instant.parse(at), o.getString("method"), o.getString("problem"),
        o.getInteger("problems", 0));
  }
}
