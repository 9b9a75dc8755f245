package dev.cairn.http;

import dev.cairn.config.HttpConfig;
import dev.cairn.config.HttpConfig.Role;
import dev.cairn.config.HttpConfig.Token;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;

/**
 * Bearer-token authentication and role checks. Tokens are configured as SHA-256 hashes; a presented token
 * is hashed and compared with every configured hash in constant time ({@link MessageDigest#isEqual}),
 * without stopping at the first match. 401 without or with a wrong token, 403 when the role is too low,
 * 429 when a token makes mutating requests faster than the configured rate.
 */
final class Auth {
  static final String TOKEN_KEY = "cairn.token";
  /** Longer headers are refused without hashing them: tokens are 43 characters. */
  private static final int MAX_TOKEN_LENGTH = 512;
  private static final String CHALLENGE = "Bearer realm=\"cairn\"";
  private static final String HOW_TO = "create a token with: cairn token --role admin --name NAME, add the printed"
      + " line under http.tokens in the agent's configuration and restart the agent; then send"
      + " Authorization: Bearer TOKEN";

  private record Known(Token token, byte[] hash) {}

  private final List<Known> tokens;
  private final RateLimiter limiter;

  Auth(List<Token> tokens, RateLimiter limiter) {
    this.tokens = tokens.stream().map(t -> new Known(t, HexFormat.of().parseHex(t.sha256()))).toList();
    this.limiter = limiter;
  }

  private static byte[] sha256(String token) {
    return HexFormat.of().parseHex(HttpConfig.sha256Hex(token));
  }

  /** The token a request authenticates with, or null. */
  Token authenticate(String authorization) {
    if (authorization == null || authorization.length() > MAX_TOKEN_LENGTH + 7
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String presented = authorization.substring(7).trim();
    if (presented.isEmpty()) {
      return null;
    }
    byte[] hash = sha256(presented);
    Token found = null;
    for (Known k : tokens) {
      if (MessageDigest.isEqual(k.hash(), hash) && found == null) {
        found = k.token();
      }
    }
    return found;
  }

  /** Lets the request on only with a token of at least {@code role}. */
  Handler<RoutingContext> require(Role role) {
    return rc -> {
      if (tokens.isEmpty()) {
        throw new ApiError(401, ApiError.UNAUTHENTICATED, "no API tokens are configured, so the API is closed",
            HOW_TO).header("WWW-Authenticate", CHALLENGE);
      }
      String header = rc.request().getHeader("Authorization");
      Token t = authenticate(header);
      if (t == null) {
        throw new ApiError(401, ApiError.UNAUTHENTICATED, header == null ? "missing Authorization: Bearer TOKEN"
            : "the bearer token is not valid", header == null ? HOW_TO : null)
            .header("WWW-Authenticate", header == null ? CHALLENGE : CHALLENGE + ", error=\"invalid_token\"");
      }
      rc.put(TOKEN_KEY, t);
      if (!t.role().allows(role)) {
        throw new ApiError(403, ApiError.FORBIDDEN, "token " + t.name() + " has role " + t.role().label() + "; "
            + rc.request().method() + " " + rc.request().path() + " needs " + role.label());
      }
      rc.next();
    };
  }

  /**
   * For archive downloads: a {@code ticket} query parameter from {@link DownloadTickets} stands for the
   * token that asked for it (a browser's own download sends no Authorization header); without one, as
   * {@link #require(Role)}.
   */
  Handler<RoutingContext> requireOrTicket(Role role, DownloadTickets tickets, Clock clock) {
    Handler<RoutingContext> bearer = require(role);
    return rc -> {
      String ticket = rc.queryParams().get("ticket");
      if (ticket == null) {
        bearer.handle(rc);
        return;
      }
      Token t = tickets.redeem(ticket, rc.pathParam("id"), clock.instant());
      if (t == null) {
        throw new ApiError(401, ApiError.UNAUTHENTICATED, "the download ticket is not valid for this backup or has"
            + " expired (tickets last " + DownloadTickets.TTL.toSeconds() + " s)",
            "ask for a new one: POST " + HttpVerticle.BASE + "/backups/{id}/download-ticket");
      }
      rc.put(TOKEN_KEY, t);
      rc.next();
    };
  }

  /** Counts a mutating request against its token's rate; 429 with Retry-After when it is used up. */
  Handler<RoutingContext> rateLimited() {
    return rc -> {
      Token t = rc.get(TOKEN_KEY);
      long wait = limiter.acquire(t.name());
      if (wait > 0) {
        throw new ApiError(429, ApiError.RATE_LIMITED, "token " + t.name() + " made too many changing requests;"
            + " try again in " + wait + " s", "http.rate_limit_per_minute sets the rate")
            .header("Retry-After", Long.toString(wait));
      }
      rc.next();
    };
  }

  static HttpConfig.Token token(RoutingContext rc) {
    return rc.get(TOKEN_KEY);
  }
}
