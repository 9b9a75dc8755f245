package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.Storage;
import dev.cairn.storage.WriteSink;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The S3 driver (AWS S3 and compatible stores: MinIO, Ceph, R2, B2, S3Proxy). Blocking like every
 * {@link Storage}: each method awaits the futures of {@link S3Client} on the calling worker thread,
 * never on an event loop (Vert.x refuses that). How each operation keeps the contract:
 * <ul>
 *   <li>{@link #create}: a multipart upload of fixed-size parts ({@link MultipartSink}), completed with
 *       {@code If-None-Match: *}, so the object appears whole, only if absent; small objects are one
 *       conditional PutObject. Unfinished writes are the bucket's unfinished multipart uploads
 *       ({@link #partials}), never listed as objects.</li>
 *   <li>{@link #putIfAbsent}: PutObject with {@code If-None-Match: *}; a 412 whose object holds exactly
 *       our bytes is our own earlier attempt whose answer was lost, so it counts as created.</li>
 *   <li>{@link #append} (S3 has none): read the object and its ETag, write old + new with {@code If-Match}
 *       (or {@code If-None-Match: *} when absent), again on a conflict. Readers see the old or the new
 *       object whole; the job history, its only user, has one writer per repository.</li>
 *   <li>{@link #renameIfAbsent} (S3 has none): a server-side copy (UploadPartCopy into a multipart
 *       upload completed with {@code If-None-Match: *}), then the source is deleted.</li>
 *   <li>No {@link Feature#FREE_SPACE} and no {@link Feature#LOCAL}: leases on S3 are judged by their
 *       expiry alone.</li>
 * </ul>
 */
public final class S3Storage implements Storage {
  private static final Logger LOG = Logger.getLogger("cairn.storage");
  /** Uploads older than this were left by a writer that is gone (the agent aborts them). */
  public static final Duration STALE_UPLOAD_AGE = Duration.ofDays(1);

  private final S3Client client;
  private final S3Location loc;
  private final Clock clock;
  private final AtomicLong bytesRead = new AtomicLong();

  private S3Storage(S3Client client, Clock clock) {
    this.client = client;
    this.loc = client.location();
    this.clock = clock;
  }

  /** Opens a repository with credentials from the environment; checks credentials, bucket and clock. */
  public static S3Storage open(S3Location loc) {
    return open(loc, S3Credentials.fromEnvironment(), S3Tuning.defaults(), Clock.systemUTC(), System.getenv());
  }

  /** Opens a repository with the given key (null: the environment's); checks credentials, bucket and clock. */
  public static S3Storage open(S3Location loc, S3Credentials creds) {
    return open(loc, creds != null ? creds : S3Credentials.fromEnvironment(), S3Tuning.defaults(), Clock.systemUTC(),
        System.getenv());
  }

  /** Opens a repository; one listing request checks the credentials, the bucket and the clock. */
  public static S3Storage open(S3Location loc, S3Credentials creds, S3Tuning tuning, Clock signingClock,
      Map<String, String> env) {
    loc.problem().ifPresent(p -> {
      throw new CairnException(ErrorCode.CONFIG, "repository " + loc.describe() + ": " + p);
    });
    S3Http http = new S3Http(Blocking.vertx(), loc, creds, tuning, signingClock, env);
    S3Storage s = new S3Storage(new S3Client(http, loc), Clock.systemUTC());
    try {
      s.await(s.client.probe());
    } catch (RuntimeException e) {
      http.close();
      throw e;
    }
    return s;
  }

  public S3Location s3Location() {
    return loc;
  }

  /** Bytes fetched by ranged reads of archives so far (the single-table restore's figure). */
  public long bytesRead() {
    return bytesRead.get();
  }

  @Override
  public Set<Feature> features() {
    return EnumSet.noneOf(Feature.class);
  }

  @Override
  public String location() {
    return loc.describe();
  }

  @Override
  public WriteSink create(String key) {
    return new MultipartSink(this, checked(key));
  }

  @Override
  public Optional<ReadSource> open(String key) {
    String k = checked(key);
    return await(client.head(loc.objectKey(k))).map(h -> new RangedSource(this, k, h.size()));
  }

  @Override
  public Optional<ObjectInfo> stat(String key) {
    String k = checked(key);
    return await(client.head(loc.objectKey(k))).map(h -> new ObjectInfo(k, h.size(), h.modifiedMillis()));
  }

  @Override
  public List<ObjectInfo> list(String dir) {
    if (!dir.isEmpty() && (!dir.endsWith("/") || !KEY.matcher(dir.substring(0, dir.length() - 1)).matches())) {
      throw new IllegalArgumentException("invalid storage directory \"" + dir + "\"");
    }
    List<ObjectInfo> out = new ArrayList<>();
    for (S3Client.Listed o : await(client.list(loc.objectKey(dir)))) {
      String key = o.key().substring(loc.prefix().length());
      String name = key.substring(dir.length());
      if (!name.isEmpty() && !name.startsWith(".") && !name.contains("/")) {
        out.add(new ObjectInfo(key, o.size(), o.modifiedMillis()));
      }
    }
    return out;
  }

  @Override
  public boolean delete(String key) {
    String k = checked(key);
    if (await(client.head(loc.objectKey(k))).isEmpty()) {
      return false;
    }
    await(client.delete(loc.objectKey(k)));
    return true;
  }

  @Override
  public Optional<byte[]> get(String key) {
    return await(client.get(loc.objectKey(checked(key)), 0, -1)).map(g -> g.body().getBytes());
  }

  @Override
  public boolean putIfAbsent(String key, byte[] content) {
    String ok = loc.objectKey(checked(key));
    if (await(client.put(ok, Buffer.buffer(content), false, true, null)).isPresent()) {
      return true;
    }
    return await(client.get(ok, 0, -1)).map(g -> Arrays.equals(g.body().getBytes(), content)).orElse(false);
  }

  @Override
  public void put(String key, byte[] content) {
    await(client.put(loc.objectKey(checked(key)), Buffer.buffer(content), false, false, null));
  }

  @Override
  public void append(String key, byte[] content) {
    String ok = loc.objectKey(checked(key));
    for (int attempt = 0; attempt < 10; attempt++) {
      Optional<S3Client.Got> now = await(client.get(ok, 0, -1));
      Buffer next = Buffer.buffer();
      now.ifPresent(g -> next.appendBuffer(g.body()));
      next.appendBytes(content);
      if (await(client.put(ok, next, false, now.isEmpty(), now.map(S3Client.Got::etag).orElse(null))).isPresent()) {
        return;
      }
    }
    throw new CairnException(ErrorCode.REPO_WRITE, "cannot append to " + key + " in " + location()
        + ": it kept changing under 10 attempts", "another process writes it: one agent per repository");
  }

  @Override
  public boolean renameIfAbsent(String from, String to) {
    String src = loc.objectKey(checked(from));
    String dst = loc.objectKey(checked(to));
    S3Client.Head h = await(client.head(src)).orElseThrow(() -> new CairnException(ErrorCode.REPO_WRITE,
        "cannot rename " + from + " to " + to + " in " + location() + ": " + from + " does not exist"));
    if (await(client.head(dst)).isPresent()) {
      return false;
    }
    String uploadId = await(client.createMultipartUpload(dst, true));
    try {
      List<S3Client.Part> parts = new ArrayList<>();
      long step = loc.partSize();
      int n = 1;
      for (long off = 0; off < h.size() || n == 1; off += step, n++) {
        long len = Math.min(step, h.size() - off);
        parts.add(await(len > 0 ? client.uploadPartCopy(dst, uploadId, n, src, off, len)
            : client.uploadPart(dst, uploadId, n, Buffer.buffer())));
      }
      if (await(client.completeMultipartUpload(dst, uploadId, parts)).isEmpty()) {
        abortQuietly(dst, uploadId);
        return false;
      }
    } catch (RuntimeException e) {
      abortQuietly(dst, uploadId);
      throw e;
    }
    long copied = await(client.head(dst)).map(S3Client.Head::size).orElse(-1L);
    if (copied != h.size()) {
      throw new CairnException(ErrorCode.REPO_WRITE, "renaming " + from + " to " + to + " in " + location()
          + ": the copy has " + copied + " bytes, not " + h.size() + "; " + from + " is kept");
    }
    await(client.delete(src));
    return true;
  }

  @Override
  public List<String> partials() {
    return await(client.listMultipartUploads(loc.prefix())).stream().map(u -> u.key().substring(loc.prefix().length()))
        .distinct().toList();
  }

  @Override
  public boolean removePartial(String key) {
    String ok = loc.objectKey(checked(key));
    boolean any = false;
    for (S3Client.Upload u : await(client.listMultipartUploads(ok))) {
      if (u.key().equals(ok)) {
        await(client.abortMultipartUpload(ok, u.uploadId()));
        any = true;
      }
    }
    return any;
  }

  /**
   * Aborts the repository's multipart uploads started more than {@code age} ago (their writers are
   * gone; an upload's parts are billed until aborted). Returns their keys. The agent calls it at start
   * and daily; a bucket lifecycle rule is the second line (README).
   */
  public List<String> abortStaleUploads(Duration age) {
    Instant before = clock.instant().minus(age);
    List<String> out = new ArrayList<>();
    for (S3Client.Upload u : await(client.listMultipartUploads(loc.prefix()))) {
      if (u.initiated().isBefore(before)) {
        await(client.abortMultipartUpload(u.key(), u.uploadId()));
        out.add(u.key().substring(loc.prefix().length()));
      }
    }
    if (!out.isEmpty()) {
      LOG.info(() -> "aborted " + out.size() + " stale multipart upload(s) in " + location() + ": " + out);
    }
    return out;
  }

  @Override
  public OptionalLong freeSpace() {
    return OptionalLong.empty();
  }

  S3Client client() {
    return client;
  }

  void countRead(long n) {
    bytesRead.addAndGet(n);
  }

  void abortQuietly(String objectKey, String uploadId) {
    try {
      await(client.abortMultipartUpload(objectKey, uploadId));
    } catch (RuntimeException e) {
      LOG.warning(() -> "cannot abort the upload of " + objectKey + " in " + location() + ": " + e.getMessage()
          + " (the agent aborts it within a day; so does a lifecycle rule)");
    }
  }

  <T> T await(Future<T> f) {
    return Blocking.await(f, location());
  }

  private String checked(String key) {
    try {
      return Storage.checkKey(key);
    } catch (IllegalArgumentException e) {
      throw new CairnException(ErrorCode.INTERNAL, e.getMessage() + " in " + location());
    }
  }
}
