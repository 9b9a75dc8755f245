package dev.cairn.storage;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A repository of backups on a {@link Storage}. A backup exists only as the object {@code <id>.cairn},
 * published atomically when its archive is complete; work in progress is the driver's unfinished write,
 * never listed. All methods block: call them from worker threads.
 */
public final class Repository {
  public static final String SUFFIX = ".cairn";
  /** Backup ids: no separators, no dot-dot, so an id can never name a key outside the repository. */
  public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}-\\d{8}T\\d{6}Z(-\\d{1,3})?");

  private static final Pattern NAME_OF_ID = Pattern.compile("(.+)-\\d{8}T\\d{6}Z(-\\d{1,3})?");

  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

  private final Storage storage;
  private final Leases leases;
  private final BackupCatalog catalog;
  private final Copies copies;
  /** Slots new archives are encrypted for, and keys archives are opened with. */
  private final dev.cairn.crypt.Keys keys;

  private Repository(Storage storage) {
    this.storage = storage;
    this.catalog = new BackupCatalog(storage);
    this.copies = new Copies(storage);
    // Leases are about real liveness across processes: the system clock, never a test's clock.
    this.leases = new Leases(storage, java.time.Clock.systemUTC());
    this.keys = dev.cairn.crypt.Keys.NONE;
  }

  private Repository(Repository r, dev.cairn.crypt.Keys keys) {
    this.storage = r.storage;
    this.catalog = r.catalog;
    this.copies = r.copies;
    this.leases = r.leases;
    this.keys = keys;
  }

  /** This repository, writing archives encrypted for {@code keys}' slots and opening them with its keys. */
  public Repository withKeys(dev.cairn.crypt.Keys keys) {
    return new Repository(this, keys);
  }

  public dev.cairn.crypt.Keys keys() {
    return keys;
  }

  public static Repository of(Storage storage) {
    return new Repository(storage);
  }

  /** The name part of a backup id (the configured database name, or the database's own). */
  public static String nameOf(String id) {
    var m = NAME_OF_ID.matcher(id);
    return m.matches() ? m.group(1) : id;
  }

  /** Opens a local repository for reading; the directory must exist. */
  public static Repository open(Path dir) {
    return new Repository(LocalStorage.open(dir));
  }

  /** Opens a local repository for writing, creating it (mode 0700) when missing; checks it is writable. */
  public static Repository openForWrite(Path dir) {
    return new Repository(LocalStorage.openForWrite(dir));
  }

  public Storage storage() {
    return storage;
  }

  /** Where the repository is, for messages. */
  public String location() {
    return storage.location();
  }

  public BackupCatalog catalog() {
    return catalog;
  }

  /** How backups copied here arrived (from where, when). */
  public Copies copies() {
    return copies;
  }

  public Leases leases() {
    return leases;
  }

  /**
   * The agent's lock: one agent per repository. REPO_LOCKED naming the holder (pid, host, since) when
   * another live agent has it.
   */
  public Leases.Lease lockForAgent() {
    return leases.acquire("agent", "agent", "the repository's agent lock");
  }

  /** Reserves a new backup id: its write lease, or empty when another writer holds it. */
  public Optional<Leases.Lease> reserve(String id) {
    archiveKey(id);
    return leases.tryAcquire("write-" + id, "backup " + id);
  }

  /**
   * Marks a backup in use (restore, verify, download, ...) until the lease is closed: delete, prune and
   * retention leave it alone, in every process. BACKUP_NOT_FOUND when it is absent; BACKUP_IN_USE when
   * it is being deleted.
   */
  public Leases.Lease use(String id, String purpose) {
    archiveKey(id); // a malformed id is BACKUP_NOT_FOUND before any lease; absence is checked once, below
    byte[] r = new byte[6];
    RANDOM.nextBytes(r);
    Leases.Lease lease = leases.tryAcquire("use-" + id + "." + java.util.HexFormat.of().formatHex(r), purpose)
        .orElseThrow(() -> new CairnException(ErrorCode.INTERNAL, "cannot take a use lease on " + id));
    // Taken first, checked second (the deleter does the reverse): one of the two always sees the other.
    Optional<Leases.Holder> deleter = leases.holder("delete-" + id);
    if (deleter.isPresent() || !exists(id)) {
      lease.close();
      if (deleter.isPresent()) {
        throw new CairnException(ErrorCode.BACKUP_IN_USE, "backup " + id + " is being deleted by "
            + deleter.get().describe());
      }
      throw notFound(id);
    }
    return lease;
  }

  /** Every backup in use by any process, with who uses it ("pid 41 on db1 since ... (verify)"). */
  public java.util.Map<String, String> inUse() {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    for (Leases.Holder h : leases.live("use-")) {
      int dot = h.name().lastIndexOf('.');
      if (dot > 4) {
        out.merge(h.name().substring(4, dot), h.describe(), (a, b) -> a + ", " + b);
      }
    }
    return out;
  }

  /** Live uses of a backup (restores, verifies, downloads), in any process. */
  public List<Leases.Holder> uses(String id) {
    return leases.live("use-" + id + ".");
  }

  /** The storage key of a backup's archive; BACKUP_NOT_FOUND when {@code id} is not an id. */
  public String archiveKey(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new CairnException(ErrorCode.BACKUP_NOT_FOUND, "\"" + id + "\" is not a backup id",
          "backup ids look like mydb-20260101T020000Z; list them with: cairn list --repo " + location());
    }
    return id + SUFFIX;
  }

  /** The archive of a published backup; BACKUP_NOT_FOUND when the id is malformed or absent. */
  public Storage.ObjectInfo archive(String id) {
    return storage.stat(archiveKey(id)).orElseThrow(() -> notFound(id));
  }

  /** Opens a published backup's archive (checks header, trailer and manifest); BACKUP_NOT_FOUND when absent. */
  public ArchiveReader openArchive(String id) {
    String key = archiveKey(id);
    ReadSource in = storage.open(key).orElseThrow(() -> notFound(id));
    return ArchiveReader.open(in, key + " in " + location(), keys);
  }

  /**
   * Opens a backup's archive marked in use for {@code purpose} (see {@link #use}) until the reader is
   * closed: no process deletes it while it is read.
   */
  public ArchiveReader openArchive(String id, String purpose) {
    String key = archiveKey(id);
    return ArchiveReader.open(openSource(id, purpose), key + " in " + location(), keys);
  }

  /** The archive's bytes, marked in use until the source is closed (downloads). */
  public ReadSource openSource(String id, String purpose) {
    Leases.Lease lease = use(id, purpose);
    try {
      ReadSource in = storage.open(archiveKey(id)).orElseThrow(() -> notFound(id));
      return new ReadSource() {
        @Override
        public long size() {
          return in.size();
        }

        @Override
        public void read(long offset, java.nio.ByteBuffer dst) {
          in.read(offset, dst);
        }

        @Override
        public String key() {
          return in.key();
        }

        @Override
        public void close() {
          in.close();
          lease.close();
        }
      };
    } catch (RuntimeException e) {
      lease.close();
      throw e;
    }
  }

  /** Starts writing a backup's archive; it is published by {@link ArchiveWriter#finish}. */
  public ArchiveWriter createArchive(String id) {
    return ArchiveWriter.create(storage.create(archiveKey(id)), keys);
  }

  public boolean exists(String id) {
    return id != null && ID.matcher(id).matches() && storage.stat(id + SUFFIX).isPresent();
  }

  /** Published archives, {@code <id>.cairn} (unsorted; callers order by recorded times). */
  public List<Storage.ObjectInfo> archives() {
    List<Storage.ObjectInfo> out = new ArrayList<>();
    for (Storage.ObjectInfo o : storage.list("")) {
      String k = o.key();
      if (k.endsWith(SUFFIX) && ID.matcher(k.substring(0, k.length() - SUFFIX.length())).matches()) {
        out.add(o);
      }
    }
    return out;
  }

  /** Ids of published backups (unsorted). */
  public List<String> ids() {
    return archives().stream().map(o -> o.key().substring(0, o.key().length() - SUFFIX.length())).toList();
  }

  /**
   * Deletes a published backup, durably, unless it is in use: BACKUP_IN_USE naming the users (any
   * process: a CLI restore, an agent verify, a download); BACKUP_NOT_FOUND when it is not there.
   */
  public void delete(String id) {
    String key = archiveKey(id);
    try (Leases.Lease lease = leases.tryAcquire("delete-" + id, "delete " + id).orElseThrow(() ->
        new CairnException(ErrorCode.BACKUP_IN_USE, "backup " + id + " is already being deleted by "
            + leases.holder("delete-" + id).map(Leases.Holder::describe).orElse("another process")))) {
      List<Leases.Holder> users = uses(id);
      if (!users.isEmpty()) {
        throw new CairnException(ErrorCode.BACKUP_IN_USE, "backup " + id + " is in use by "
            + String.join(", ", users.stream().map(Leases.Holder::describe).toList()) + "; not deleted",
            "delete it when that is done");
      }
      if (!storage.delete(key)) {
        throw notFound(id);
      }
      catalog.delete(id);
      copies.delete(id);
    }
  }

  /**
   * Removes leftovers of writes whose writer is provably gone (its write lease expired, or its pid is
   * dead on this host): unfinished archives, and uploads never verified. Writes in progress in other
   * processes are left alone. Returns the keys removed.
   */
  public List<String> removePartials() {
    List<String> removed = new ArrayList<>();
    for (String key : storage.partials()) {
      if (leases.holder(writeLeaseOf(key)).isEmpty() && storage.removePartial(key)) {
        removed.add(key);
      }
    }
    for (Storage.ObjectInfo o : storage.list(INCOMING)) {
      if (leases.holder(writeLeaseOf(o.key())).isEmpty() && storage.delete(o.key())) {
        removed.add(o.key());
      }
    }
    return removed;
  }

  /** Where uploads wait until verified; never listed as backups. */
  public static final String INCOMING = "incoming/";

  /** An upload's key under {@link #INCOMING}, and its write lease once {@link #take}n (blocking). */
  public final class Upload implements AutoCloseable {
    private final String key;
    private volatile Leases.Lease lease;

    private Upload(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    /** Takes the write lease that keeps the unfinished upload from being removed as a leftover. */
    public void take() {
      lease = leases.acquire(writeLeaseOf(key), "upload " + key, "upload " + key);
    }

    @Override
    public void close() {
      if (lease != null) {
        lease.close();
      }
    }
  }

  /** A new, random upload key (no I/O). */
  public Upload newUploadName() {
    byte[] r = new byte[8];
    RANDOM.nextBytes(r);
    return new Upload(INCOMING + java.util.HexFormat.of().formatHex(r) + SUFFIX);
  }

  /** The write lease guarding a key's unfinished write: {@code write-<id>} or {@code write-incoming.<name>}. */
  private static String writeLeaseOf(String key) {
    String base = key.endsWith(SUFFIX) ? key.substring(0, key.length() - SUFFIX.length()) : key;
    return "write-" + base.replace('/', '.');
  }

  private CairnException notFound(String id) {
    return new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no backup " + id + " in " + location(),
        "list the backups with: cairn list --repo " + location());
  }
}
