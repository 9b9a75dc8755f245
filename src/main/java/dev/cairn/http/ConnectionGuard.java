package dev.cairn.http;

import dev.cairn.config.HttpConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Bounds the HTTP server's connections so idle or slow clients cannot use up the agent's file descriptors
 * (and make health time out): a new connection must send its first request's headers within
 * {@code header_timeout}; at {@code max_connections} the connection idle the longest (no request under
 * way) is closed to make room, or, when every one is busy, the new one is refused; both are logged, at
 * most once a minute with a count. Idle connections are closed by the server's own idle timeout. Runs on
 * the server's context only.
 */
final class ConnectionGuard {
  private static final Logger LOG = Logger.getLogger("cairn.http");
  private static final long LOG_EVERY_MS = 60_000;

  /** {@code last}: the latest request's response, null before the first request. */
  private static final class State {
    long headerTimer = -1;
    long lastActive = System.nanoTime();
    HttpServerResponse last;

    boolean idle() {
      return last == null || last.ended() || last.closed();
    }
  }

  private final Vertx vertx;
  private final HttpConfig.Limits limits;
  private final Map<HttpConnection, State> open = new LinkedHashMap<>();
  private long lastLog = Long.MIN_VALUE;
  private int unlogged;

  ConnectionGuard(Vertx vertx, HttpConfig.Limits limits) {
    this.vertx = vertx;
    this.limits = limits;
  }

  void connected(HttpConnection conn) {
    if (open.size() >= limits.maxConnections() && !evictIdlest()) {
      limitReached("refused a connection from " + conn.remoteAddress() + ": all " + open.size() + " are busy");
      conn.close();
      return;
    }
    State s = new State();
    open.put(conn, s);
    s.headerTimer = vertx.setTimer(limits.headerTimeout().toMillis(), id -> {
      if (open.get(conn) == s && s.last == null) {
        LOG.fine(() -> "http: closed a connection from " + conn.remoteAddress() + ": no request headers within "
            + "http.header_timeout (" + limits.headerTimeout().toSeconds() + " s)");
        conn.close();
      }
    });
    conn.closeHandler(v -> {
      State gone = open.remove(conn);
      if (gone != null) {
        vertx.cancelTimer(gone.headerTimer);
      }
    });
  }

  void request(HttpServerRequest req) {
    State s = open.get(req.connection());
    if (s != null) {
      vertx.cancelTimer(s.headerTimer);
      s.last = req.response();
      s.lastActive = System.nanoTime();
    }
  }

  /** Closes the connection with no request under way that was active longest ago; false when none is idle. */
  private boolean evictIdlest() {
    HttpConnection idlest = null;
    long oldest = Long.MAX_VALUE;
    for (Map.Entry<HttpConnection, State> e : open.entrySet()) {
      if (e.getValue().idle() && e.getValue().lastActive - oldest < 0) {
        oldest = e.getValue().lastActive;
        idlest = e.getKey();
      }
    }
    if (idlest == null) {
      return false;
    }
    limitReached("closed the longest idle connection, from " + idlest.remoteAddress() + ", for a new one");
    vertx.cancelTimer(open.remove(idlest).headerTimer);
    idlest.close();
    return true;
  }

  private void limitReached(String what) {
    long now = System.nanoTime() / 1_000_000;
    unlogged++;
    if (lastLog == Long.MIN_VALUE || now - lastLog >= LOG_EVERY_MS) {
      int n = unlogged;
      unlogged = 0;
      lastLog = now;
      LOG.warning(() -> "http: " + open.size() + " connections open, the limit http.max_connections ("
          + limits.maxConnections() + ") is reached: " + what + (n > 1 ? " (" + n + " times since the last such"
          + " line)" : "") + "; raise the limit, or find the client holding connections open");
    }
  }
}
