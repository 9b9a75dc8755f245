package dev.cairn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cairn.config.HttpConfig;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DownloadTicketsTest {
  static final HttpConfig.Token OPS = new HttpConfig.Token("ops", HttpConfig.Role.OPERATOR, "00".repeat(32));
  static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");

  @Test
  void aTicketActsForItsTokenOnItsBackupUntilItExpires() {
    DownloadTickets tickets = new DownloadTickets();
    DownloadTickets.Ticket t = tickets.issue("app-20261122T020000Z", OPS, T0);
    assertEquals(T0.plus(DownloadTickets.TTL), t.expires());
    assertEquals(OPS, tickets.redeem(t.value(), "app-20261122T020000Z", T0));
    assertEquals(OPS, tickets.redeem(t.value(), "app-20261122T020000Z", t.expires().minusMillis(1)));
    assertNull(tickets.redeem(t.value(), "app-20261122T020000Z", t.expires()));
    assertNull(tickets.redeem(t.value(), "app-20261122T030000Z", T0), "another backup");
  }

  @Test
  void unknownEmptyOrOverlongTicketsActForNobody() {
    DownloadTickets tickets = new DownloadTickets();
    DownloadTickets.Ticket t = tickets.issue("app-20261122T020000Z", OPS, T0);
    assertNull(tickets.redeem(null, "app-20261122T020000Z", T0));
    assertNull(tickets.redeem("", "app-20261122T020000Z", T0));
    assertNull(tickets.redeem(t.value() + "x", "app-20261122T020000Z", T0));
    assertNull(tickets.redeem(t.value().repeat(2), "app-20261122T020000Z", T0));
  }

  @Test
  void ticketsAreRandomAndExpiredOnesAreForgottenAtTheNextIssue() {
    DownloadTickets tickets = new DownloadTickets();
    DownloadTickets.Ticket a = tickets.issue("app-20261122T020000Z", OPS, T0);
    DownloadTickets.Ticket b = tickets.issue("app-20261122T020000Z", OPS, T0);
    assertNotEquals(a.value(), b.value());
    assertEquals(43, a.value().length()); // 256 random bits, base64url
    assertEquals(2, tickets.size());
    tickets.issue("app-20261122T020000Z", OPS, T0.plus(DownloadTickets.TTL));
    assertEquals(1, tickets.size());
  }

  @Test
  void atMostMaxTicketsAreKeptTheOldestGoingFirst() {
    DownloadTickets tickets = new DownloadTickets();
    DownloadTickets.Ticket first = tickets.issue("app-20261122T020000Z", OPS, T0);
    DownloadTickets.Ticket second = tickets.issue("app-20261122T020000Z", OPS, T0);
    for (int i = 2; i < DownloadTickets.MAX + 1; i++) {
      tickets.issue("app-20261122T020000Z", OPS, T0);
    }
    assertEquals(DownloadTickets.MAX, tickets.size());
    assertNull(tickets.redeem(first.value(), "app-20261122T020000Z", T0));
    assertEquals(OPS, tickets.redeem(second.value(), "app-20261122T020000Z", T0));
  }
}
