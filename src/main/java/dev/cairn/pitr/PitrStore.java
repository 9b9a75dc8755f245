package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Storage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One cluster's PITR objects in a repository, all through {@link Storage}:
 * <pre>
 *   pitr/NAME.json                     the cluster (system identifier, WAL segment size, version)
 *   pitr/NAME/wal/SEGMENT.lz4          WAL segments and TLI.history files ({@link WalObject})
 *   pitr/NAME/base/ID.tar.lz4          base backups ({@link BaseStream}), published before ...
 *   pitr/NAME/base/ID.json             ... their description, written last: only a described one counts
 *   pitr/NAME/marks/MARK.json          restore points made with cairn pitr mark
 *   pitr/NAME/state.json               the agent's last look at the server (WAL lag, window, gaps)
 *   pitr/NAME/restore-tests.json       the last PITR restore tests ({@link PitrTestLog})
 * </pre>
 * Blocking, like the storage.
 */
public final class PitrStore {
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");
  private static final String SUFFIX = ".lz4";

  private final Storage storage;
  private final String cluster;

  public PitrStore(Storage storage, String cluster) {
    if (!NAME.matcher(cluster).matches()) {
      throw new CairnException(ErrorCode.USAGE, "invalid cluster name \"" + cluster + "\"",
          "1 to 63 letters, digits, _ or -, starting with a letter or digit");
    }
    this.storage = storage;
    this.cluster = cluster;
  }

  /** The clusters a repository holds PITR data for, sorted. */
  public static List<String> clusters(Storage storage) {
    return storage.list("pitr/").stream().map(o -> o.key().substring("pitr/".length()))
        .filter(k -> k.endsWith(".json")).map(k -> k.substring(0, k.length() - 5))
        .filter(n -> NAME.matcher(n).matches()).sorted().toList();
  }

  public String cluster() {
    return cluster;
  }

  public Storage storage() {
    return storage;
  }

  public Optional<ClusterInfo> info() {
    return json("pitr/" + cluster + ".json").map(ClusterInfo::fromJson);
  }

  public ClusterInfo requireInfo() {
    return info().orElseThrow(() -> new CairnException(ErrorCode.BACKUP_NOT_FOUND, "no PITR data for cluster " + cluster
        + " in " + storage.location(), "list the clusters with cairn pitr status --repo " + storage.location()));
  }

  /** Records the cluster; a different system identifier under the same name is refused (two servers, one name). */
  public void putInfo(ClusterInfo info) {
    Optional<ClusterInfo> old = info();
    if (old.isPresent() && !old.get().systemId().equals(info.systemId())) {
      throw new CairnException(ErrorCode.RESTORE_PRECONDITION, "cluster " + cluster + " in " + storage.location()
          + " belongs to the server with system identifier " + old.get().systemId() + ", not " + info.systemId(),
          "give this server another cluster name");
    }
    if (old.isEmpty() || !old.get().equals(info)) {
      storage.put("pitr/" + cluster + ".json", info.toJson().encode().getBytes(StandardCharsets.UTF_8));
    }
  }

  // ---- WAL ----

  String walKey(String fileName) {
    return "pitr/" + cluster + "/wal/" + fileName + SUFFIX;
  }

  /** Publishes a finished segment or history file; false when it was there already (a re-streamed segment). */
  public boolean publishWal(String fileName, byte[] raw) {
    String key = walKey(fileName);
    byte[] object = WalObject.encode(raw);
    if (storage.stat(key).isPresent()) {
      return false;
    }
    try (var sink = storage.create(key)) {
      sink.write(java.nio.ByteBuffer.wrap(object));
      sink.commit();
    } catch (CairnException e) {
      if (storage.stat(key).isPresent()) {
        return false; // published meanwhile by another receiver of the same stream
      }
      throw e;
    }
    return true;
  }

  /** The raw WAL file, checked; empty when the repository does not hold it. */
  public Optional<byte[]> readWal(String fileName) {
    String key = walKey(fileName);
    return storage.get(key).map(o -> WalObject.decode(o, key));
  }

  public Optional<byte[]> rawObject(String fileName) {
    return storage.get(walKey(fileName));
  }

  public void putRawObject(String fileName, byte[] object) {
    storage.put(walKey(fileName), object);
  }

  /** File names (segments and history files) of the WAL in the repository, sorted. */
  public List<String> walFiles() {
    String dir = "pitr/" + cluster + "/wal/";
    return storage.list(dir).stream().map(o -> o.key().substring(dir.length()))
        .filter(n -> n.endsWith(SUFFIX)).map(n -> n.substring(0, n.length() - SUFFIX.length())).sorted().toList();
  }

  public boolean deleteWal(String fileName) {
    return storage.delete(walKey(fileName));
  }

  // ---- base backups ----

  String baseDataKey(String id) {
    return "pitr/" + cluster + "/base/" + id + ".tar" + SUFFIX;
  }

  void putBase(BaseInfo b) {
    storage.put("pitr/" + cluster + "/base/" + b.id() + ".json", b.toJson().encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Described (finished) base backups, oldest first. */
  public List<BaseInfo> bases() {
    String dir = "pitr/" + cluster + "/base/";
    List<BaseInfo> out = new ArrayList<>();
    for (var o : storage.list(dir)) {
      if (o.key().endsWith(".json")) {
        json(o.key()).map(BaseInfo::fromJson).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(BaseInfo::finished));
    return out;
  }

  /** Deletes a base backup: its description first, so a half-deleted one is never taken for whole. */
  public void deleteBase(String id) {
    storage.delete("pitr/" + cluster + "/base/" + id + ".json");
    storage.delete(baseDataKey(id));
  }

  // ---- marks and state ----

  public void putMark(String name, Lsn lsn, java.time.Instant at) {
    storage.put("pitr/" + cluster + "/marks/" + name + ".json", new JsonObject().put("name", name)
        .put("lsn", lsn.toString()).put("time", at.toString()).encode().getBytes(StandardCharsets.UTF_8));
  }

  public Optional<Lsn> mark(String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return json("pitr/" + cluster + "/marks/" + name + ".json").map(j -> Lsn.parse(j.getString("lsn")));
  }

  public void putState(JsonObject state) {
    storage.put("pitr/" + cluster + "/state.json", state.encode().getBytes(StandardCharsets.UTF_8));
  }

  public Optional<JsonObject> state() {
    return json("pitr/" + cluster + "/state.json");
  }

  private Optional<JsonObject> json(String key) {
    return storage.get(key).map(b -> {
      try {
        return new JsonObject(new String(b, StandardCharsets.UTF_8));
      } catch (DecodeException e) {
        throw new CairnException(ErrorCode.ARCHIVE_CORRUPT, key + " in " + storage.location() + " is not valid JSON: "
            + e.getMessage());
      }
    });
  }
}
