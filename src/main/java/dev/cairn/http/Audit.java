package dev.cairn.http;

import dev.cairn.config.HttpConfig;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/**
 * One line on the {@code cairn.audit} logger for every request that changes something (and every archive
 * download), when its response ends: who (token name and role, or "-" when not authenticated), what
 * (action and target), from where, and the outcome (status and error code).
 */
final class Audit {
  static final Logger LOG = Logger.getLogger("cairn.audit");
  /** Handlers put the target here when it is not the path's id (e.g. the database of a new backup). */
  static final String TARGET_KEY = "cairn.audit.target";

  private Audit() {}

  static Handler<RoutingContext> action(String action) {
    return rc -> {
      rc.addEndHandler(ar -> {
        HttpConfig.Token t = Auth.token(rc);
        Object target = rc.get(TARGET_KEY);
        if (target == null) {
          target = rc.pathParam("id");
        }
        String code = rc.get(ApiError.CODE_KEY);
        int status = rc.response().getStatusCode();
        String outcome = (rc.response().ended() ? "" : "aborted ") + status + (code == null ? "" : " " + code);
        String line = "token=" + (t == null ? "-" : t.name()) + " role=" + (t == null ? "-" : t.role().label())
            + " action=" + action + " target=" + clean(target) + " from=" + rc.request().remoteAddress()
            + " outcome=" + outcome;
        LOG.info(line);
      });
      rc.next();
    };
  }

  /** Targets come from requests: printable ASCII only, bounded, so a request cannot forge log lines. */
  static String clean(Object o) {
    if (o == null) {
      return "-";
    }
    String s = o.toString();
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 80; i++) {
      char c = s.charAt(i);
      sb.append(c > 32 && c < 127 && c != '"' ? c : '?');
    }
    return sb.length() == 0 ? "-" : sb.toString();
  }
}
