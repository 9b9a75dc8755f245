package dev.cairn.http;

import dev.cairn.storage.ReadSource;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 of whole archives, for the download's checksum headers: computed on first download (a read of
 * the whole file on the io pool) and kept in memory, keyed by id, size and modification time. Published
 * archives never change, so an entry stays right until the archive is deleted. Blocking.
 */
final class Checksums {
  private record Entry(long size, long modified, String hex) {}

  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  String sha256(String id, ReadSource in, long size, long modified) {
    Entry e = cache.get(id);
    if (e != null && e.size() == size && e.modified() == modified) {
      return e.hex();
    }
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
    ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    long pos = 0;
    while (pos < size) {
      buf.clear().limit((int) Math.min(buf.capacity(), size - pos));
      in.read(pos, buf);
      buf.flip();
      pos += buf.remaining();
      md.update(buf);
    }
    String hex = HexFormat.of().formatHex(md.digest());
    cache.put(id, new Entry(size, modified, hex));
    return hex;
  }

  void forget(String id) {
    cache.remove(id);
  }
}
