package dev.cairn.http;

import dev.cairn.config.HttpConfig;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Short-lived tickets that let a plain GET (a browser's own download, with no Authorization header)
 * fetch one backup's archive: the console asks for one with its token, then hands the URL to the
 * browser, which streams the file to disk instead of holding it in page memory. A ticket is valid for
 * {@link #TTL}, for one backup only, and acts for the token that asked for it (audit lines name that
 * token). Reusable until it expires, so a browser may resume with a Range request. Only SHA-256 hashes
 * of tickets are kept. Owned by the HTTP verticle's event loop: not thread-safe.
 */
final class DownloadTickets {
  static final Duration TTL = Duration.ofSeconds(60);
  /** Outstanding tickets kept at most; the oldest go first (each issue is a rate-limited request). */
  static final int MAX = 1000;

  record Ticket(String value, Instant expires) {}

  private record Grant(String backupId, HttpConfig.Token token, Instant expires) {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private final Map<String, Grant> grants = new LinkedHashMap<>();

  Ticket issue(String backupId, HttpConfig.Token token, Instant now) {
    purge(now);
    while (grants.size() >= MAX) {
      grants.remove(grants.keySet().iterator().next());
    }
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String value = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Instant expires = now.plus(TTL);
    grants.put(hash(value), new Grant(backupId, token, expires));
    return new Ticket(value, expires);
  }

  /** The token a ticket acts for, or null when it is unknown, expired or for another backup. */
  HttpConfig.Token redeem(String value, String backupId, Instant now) {
    if (value == null || value.length() > 64) {
      return null;
    }
    Grant g = grants.get(hash(value));
    if (g == null || !now.isBefore(g.expires()) || !g.backupId().equals(backupId)) {
      return null;
    }
    return g.token();
  }

  int size() {
    return grants.size();
  }

  private void purge(Instant now) {
    for (Iterator<Grant> it = grants.values().iterator(); it.hasNext();) {
      if (!now.isBefore(it.next().expires())) {
        it.remove();
      }
    }
  }

  private static String hash(String value) {
    return HttpConfig.sha256Hex(value);
  }
}
