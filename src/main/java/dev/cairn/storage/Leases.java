package dev.cairn.storage;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Leases in a repository: small objects under {@code locks/} that say who holds what (pid, host,
 * purpose, since, expiry), shared by every process on the repository — agents and CLI commands alike.
 * A lease is taken with "create only if absent", renewed by one daemon thread per process every third
 * of its time to live, and released by deleting it. A lease is stale, and may be taken over, when it has
 * expired or when its holder is on this host and its pid is gone (a crash, kill -9); a lease is never
 * taken from a live holder. Blocking.
 */
public final class Leases {
  public static final String DIR = "locks/";
  static final String SUFFIX = ".lease";
  public static final Duration TTL = Duration.ofSeconds(30);
  private static final Logger LOG = Logger.getLogger("cairn.storage");
  private static final ScheduledExecutorService RENEWER = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "cairn-lease");
    t.setDaemon(true);
    return t;
  });
  private static final String HOST = hostName();

  /** Who holds a lease, as read from the repository. */
  public record Holder(String name, long pid, String host, String purpose, Instant since, Instant expires) {
    /** "pid 4121 on db1 since 2026-12-01T02:00:00Z (backup app-...)". */
    public String describe() {
      return "pid " + pid + " on " + host + " since " + since + " (" + purpose + ")";
    }

    JsonObject toJson() {
      return new JsonObject().put("pid", pid).put("host", host).put("purpose", purpose)
          .put("since", since.toString()).put("expires", expires.toString());
    }

    static Holder fromJson(String name, JsonObject j) {
      return new Holder(name, j.getLong("pid"), j.getString("host"), j.getString("purpose"),
          Instant.parse(j.getString("since")), Instant.parse(j.getString("expires")));
    }
  }

  private final Storage storage;
  private final Clock clock;

  public Leases(Storage storage, Clock clock) {
    this.storage = storage;
    this.clock = clock;
  }

  /**
   * Takes the lease {@code name} ({@code [A-Za-z0-9._-]+}), or returns empty with the live holder
   * readable through {@link #holder}. A stale lease is taken over.
   */
  public Optional<Lease> tryAcquire(String name, String purpose) {
    String key = key(name);
    for (int attempt = 0; attempt < 3; attempt++) {
      Instant now = clock.instant();
      Holder me = new Holder(name, ProcessHandle.current().pid(), HOST, purpose, now, now.plus(TTL));
      byte[] content = me.toJson().encode().getBytes(StandardCharsets.UTF_8);
      if (storage.putIfAbsent(key, content)) {
        Lease l = new Lease(key, me, content);
        l.schedule();
        return Optional.of(l);
      }
      Optional<byte[]> current = storage.get(key);
      if (current.isEmpty()) {
        continue; // released meanwhile: try again
      }
      Optional<Holder> h = parse(name, current.get());
      if (h.isPresent() && !stale(h.get())) {
        return Optional.empty();
      }
      // Stale (or unreadable, e.g. cut short by a full disk): remove it only if it is still the same bytes.
      Optional<byte[]> again = storage.get(key);
      if (again.isPresent() && Arrays.equals(again.get(), current.get())) {
        LOG.info(() -> "taking over stale lease " + name + (h.isPresent() ? " of " + h.get().describe() : ""));
        storage.delete(key);
      }
    }
    return Optional.empty();
  }

  /** Like {@link #tryAcquire}, but REPO_LOCKED naming the holder when it is held. */
  public Lease acquire(String name, String purpose, String what) {
    return tryAcquire(name, purpose).orElseThrow(() -> {
      String by = holder(name).map(Holder::describe).orElse("another process");
      return new CairnException(ErrorCode.REPO_LOCKED, what + " in " + storage.location() + " is held by " + by,
          "wait for it to finish, or stop that process; a lease whose holder is gone expires after "
              + TTL.toSeconds() + " s");
    });
  }

  /** The live holder of {@code name}, if any. */
  public Optional<Holder> holder(String name) {
    return storage.get(key(name)).flatMap(b -> parse(name, b)).filter(h -> !stale(h));
  }

  /** Live leases whose names start with {@code prefix}. */
  public List<Holder> live(String prefix) {
    List<Holder> out = new ArrayList<>();
    for (Storage.ObjectInfo o : storage.list(DIR)) {
      String file = o.key().substring(DIR.length());
      if (file.startsWith(prefix) && file.endsWith(SUFFIX)) {
        String name = file.substring(0, file.length() - SUFFIX.length());
        storage.get(o.key()).flatMap(b -> parse(name, b)).filter(h -> !stale(h)).ifPresent(out::add);
      }
    }
    return out;
  }

  /** Expired, or held by a process of this host that no longer runs. */
  boolean stale(Holder h) {
    if (h.expires().isBefore(clock.instant())) {
      return true;
    }
    return HOST.equals(h.host()) && storage.features().contains(Storage.Feature.LOCAL)
        && ProcessHandle.of(h.pid()).map(p -> !p.isAlive()).orElse(true);
  }

  private static Optional<Holder> parse(String name, byte[] b) {
    try {
      return Optional.of(Holder.fromJson(name, new JsonObject(new String(b, StandardCharsets.UTF_8))));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static String key(String name) {
    return DIR + name + SUFFIX;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "localhost";
    }
  }

  /** A held lease: renewed in the background until {@link #close}. */
  public final class Lease implements AutoCloseable {
    private final String key;
    private volatile Holder holder;
    private volatile byte[] content;
    private volatile java.util.concurrent.ScheduledFuture<?> renewal;
    private volatile boolean released;

    private Lease(String key, Holder holder, byte[] content) {
      this.key = key;
      this.holder = holder;
      this.content = content;
    }

    public Holder holder() {
      return holder;
    }

    private void schedule() {
      long every = TTL.toMillis() / 3;
      renewal = RENEWER.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.MILLISECONDS);
    }

    /** Synchronised with {@link #close}: a renewal must never re-create a lease just released. */
    private synchronized void renew() {
      if (released) {
        return;
      }
      try {
        Optional<byte[]> now = storage.get(key);
        if (now.isEmpty() || !Arrays.equals(now.get(), content)) {
          LOG.warning(() -> "lease " + holder.name() + " in " + storage.location() + " was taken over; not renewed");
          renewal.cancel(false);
          return;
        }
        Holder next = new Holder(holder.name(), holder.pid(), holder.host(), holder.purpose(), holder.since(),
            clock.instant().plus(TTL));
        byte[] bytes = next.toJson().encode().getBytes(StandardCharsets.UTF_8);
        storage.put(key, bytes);
        holder = next;
        content = bytes;
      } catch (RuntimeException e) {
        LOG.warning(() -> "cannot renew lease " + holder.name() + " in " + storage.location() + ": " + e.getMessage());
      }
    }

    /**
     * Releases the lease (deletes it if it is still ours). Never throws. On an event loop (a reader
     * closed in a future's callback) a remote driver's deletion is handed to the lease thread: it waits
     * on the network, and an event loop must not (a local one is a quick unlink, done at once as before).
     */
    @Override
    public void close() {
      if (io.vertx.core.Context.isOnEventLoopThread() && !storage.features().contains(Storage.Feature.LOCAL)) {
        RENEWER.execute(this::release);
      } else {
        release();
      }
    }

    private synchronized void release() {
      if (released) {
        return;
      }
      released = true;
      if (renewal != null) {
        renewal.cancel(false);
      }
      try {
        Optional<byte[]> now = storage.get(key);
        if (now.isPresent() && Arrays.equals(now.get(), content)) {
          storage.delete(key);
        }
      } catch (RuntimeException e) {
        LOG.warning(() -> "cannot release lease " + holder.name() + " in " + storage.location() + ": "
            + e.getMessage() + " (it expires by itself)");
      }
    }
  }
}
