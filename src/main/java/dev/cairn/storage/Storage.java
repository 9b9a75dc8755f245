package dev.cairn.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A storage driver: the only way Cairn touches a repository's bytes. Byte-level and driver-shaped
 * (pgBackRest's {@code StorageInterface}): sequential write sinks that publish atomically, ranged read
 * sources, listing, stat, delete, and small whole-object operations for catalogs and leases. A local
 * directory is one driver ({@link LocalStorage}); object stores are others.
 *
 * <p>Keys are relative, '/'-separated names ({@link #checkKey}); a key whose last segment starts with a
 * dot is the driver's own (work in progress) and is never listed. Every method blocks: call them from a
 * worker pool. Failures are {@link dev.cairn.error.CairnException}s with REPO_READ or REPO_WRITE and
 * the key in the message.
 */
public interface Storage {
  /** What a driver can do beyond the required operations. */
  enum Feature {
    /** {@link #freeSpace} knows the free space. */
    FREE_SPACE,
    /** Same-host process liveness can be judged for leases (pid on this host). */
    LOCAL
  }

  /** A published object. */
  record ObjectInfo(String key, long size, long modifiedMillis) {}

  Set<Feature> features();

  /** Where this storage is, for messages: a directory or a URL (never a secret). */
  String location();

  /**
   * A sequential writer for {@code key}: nothing is visible under {@code key} until
   * {@link WriteSink#commit()}, which publishes only if {@code key} is absent.
   */
  WriteSink create(String key);

  /** A ranged reader of a published object, or empty when it does not exist. */
  Optional<ReadSource> open(String key);

  Optional<ObjectInfo> stat(String key);

  /** The published objects directly inside {@code dir} ("" for the top, else ending in '/'), unsorted. */
  List<ObjectInfo> list(String dir);

  /** Deletes a published object; false when it did not exist. Durable when it returns. */
  boolean delete(String key);

  /** The whole content of a small object, or empty when it does not exist. */
  Optional<byte[]> get(String key);

  /** Creates a small object atomically unless it exists; false when it existed. */
  boolean putIfAbsent(String key, byte[] content);

  /** Creates or replaces a small object atomically: a reader sees the old or the new content whole. */
  void put(String key, byte[] content);

  /**
   * Appends to an object (creating it), durably. A failed append (a full
   * disk) leaves the object as it was, never with half the bytes.
   */
  void append(String key, byte[] content);

  /** Renames a published object to {@code to} only if {@code to} is absent; false when it existed. */
  boolean renameIfAbsent(String from, String to);

  /** Unfinished writes (sinks never committed or aborted, e.g. after a crash): their target keys. */
  List<String> partials();

  /** Removes the unfinished write of {@code key}; false when there was none. */
  boolean removePartial(String key);

  /** Free bytes where new objects go, when the driver can tell ({@link Feature#FREE_SPACE}). */
  OptionalLong freeSpace();

  /** Keys: segments of letters, digits, '.', '_', '-', not starting with a dot; no "..", no empty segment. */
  Pattern KEY = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}(/[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}){0,8}");

  static String checkKey(String key) {
    if (key == null || !KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("invalid storage key \"" + key + "\"");
    }
    return key;
  }
}
