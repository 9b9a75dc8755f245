package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leases on a real directory, with holders that are alive, dead, expired or elsewhere. */
class LeasesTest {
  @TempDir Path dir;

  private LocalStorage storage() {
    return LocalStorage.openForWrite(dir);
  }

  private static long deadPid() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    return p.pid();
  }

  private static void plant(Storage s, String name, long pid, String host, Instant expires) {
    s.put(Leases.DIR + name + Leases.SUFFIX, new JsonObject().put("pid", pid).put("host", host)
        .put("purpose", "planted").put("since", "2026-12-01T00:00:00Z").put("expires", expires.toString())
        .encode().getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void aLiveHolderKeepsItsLeaseAndIsNamedToTheNextComer() {
    Leases a = new Leases(storage(), Clock.systemUTC());
    Leases b = new Leases(storage(), Clock.systemUTC());
    try (Leases.Lease held = a.acquire("agent", "agent", "the agent lock")) {
      assertTrue(b.tryAcquire("agent", "agent").isEmpty());
      CairnException e = assertThrows(CairnException.class, () -> b.acquire("agent", "agent", "the agent lock"));
      assertEquals(ErrorCode.REPO_LOCKED, e.code());
      assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid() + " on "), e.getMessage());
      assertTrue(e.getMessage().contains("since " + held.holder().since()), e.getMessage());
    }
    try (Leases.Lease again = b.acquire("agent", "agent", "the agent lock")) {
      assertEquals(ProcessHandle.current().pid(), again.holder().pid(), "free once released");
    }
  }

  @Test
  void theLeaseOfAProcessThatDiedOnThisHostIsTakenOver() throws Exception {
    LocalStorage s = storage();
    String host = java.net.InetAddress.getLocalHost().getHostName();
    plant(s, "write-app-20261201T000000Z", deadPid(), host, Instant.now().plusSeconds(3600));
    Leases l = new Leases(s, Clock.systemUTC());
    assertTrue(l.holder("write-app-20261201T000000Z").isEmpty(), "a dead holder holds nothing");
    try (Leases.Lease taken = l.tryAcquire("write-app-20261201T000000Z", "backup").orElseThrow()) {
      assertEquals(ProcessHandle.current().pid(), taken.holder().pid());
    }
  }

  @Test
  void aLiveLeaseOfAnotherHostIsHonouredUntilItExpires() {
    LocalStorage s = storage();
    plant(s, "agent", 1, "elsewhere", Instant.now().plusSeconds(3600));
    Leases l = new Leases(s, Clock.systemUTC());
    assertEquals(Optional.of("elsewhere"), l.holder("agent").map(Leases.Holder::host));
    assertTrue(l.tryAcquire("agent", "agent").isEmpty(), "another host's pid cannot be checked: its lease stands");
    plant(s, "agent", 1, "elsewhere", Instant.now().minusSeconds(1));
    assertTrue(l.tryAcquire("agent", "agent").isPresent(), "an expired lease is taken over");
  }

  @Test
  void anUnreadableLeaseIsTakenOver() {
    LocalStorage s = storage();
    s.put(Leases.DIR + "agent" + Leases.SUFFIX, "{\"pid\": 12".getBytes(StandardCharsets.UTF_8));
    assertTrue(new Leases(s, Clock.systemUTC()).tryAcquire("agent", "agent").isPresent());
  }

  @Test
  void releasingALeaseThatWasTakenOverLeavesTheNewHolderAlone() throws Exception {
    LocalStorage s = storage();
    Leases l = new Leases(s, Clock.systemUTC());
    Leases.Lease mine = l.tryAcquire("use-x.1", "verify").orElseThrow();
    plant(s, "use-x.1", 1, "elsewhere", Instant.now().plusSeconds(3600)); // taken over meanwhile
    mine.close();
    assertEquals(Optional.of("elsewhere"), l.holder("use-x.1").map(Leases.Holder::host));
  }

  @Test
  void liveListsOnlyLiveLeasesOfThePrefix() throws Exception {
    LocalStorage s = storage();
    Leases l = new Leases(s, Clock.systemUTC());
    try (Leases.Lease a = l.tryAcquire("use-app-20261201T000000Z.aa", "restore").orElseThrow();
        Leases.Lease b = l.tryAcquire("use-app-20261201T000000Z-1.bb", "verify").orElseThrow()) {
      plant(s, "use-app-20261201T000000Z.cc", deadPid(), java.net.InetAddress.getLocalHost().getHostName(),
          Instant.now().plusSeconds(60));
      assertEquals(1, l.live("use-app-20261201T000000Z.").size(), "ids differing by a suffix do not mix");
      assertEquals(2, l.live("use-").size());
      assertFalse(l.live("use-").stream().anyMatch(h -> h.purpose().equals("planted")));
    }
  }
}
