package dev.cairn.http;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import dev.cairn.storage.WriteSink;
import java.time.Instant;
import dev.cairn.verify.Verifier;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * POST /api/v1/backups/import: the body is a raw archive. It is streamed (never held in memory) into
 * the repository's storage as {@code incoming/<random>.cairn}, never listed as a backup; over
 * {@code http.max_import_size} the upload is cut off with 413. It is then verified fully
 * ({@link Verifier}: every chunk, row count and digest), and renamed to its manifest's id only if that id
 * is new (409 otherwise). Any failure removes the upload: a bad upload leaves nothing behind.
 */
final class ImportApi {
  /** At most this many of a damaged upload's problems are listed in the error message. */
  static final int MAX_LISTED = 10;
  /** How much of an unwanted body is read and dropped, at most, before the connection is closed anyway. */
  static final long LINGER_BYTES = 16L << 20;
  static final long LINGER_MILLIS = 5_000;
  static final int FLUSH_BYTES = 1 << 20;

  private final Vertx vertx;
  private final Repository repo;
  private final Pools pools;
  private final Checksums checksums;
  private final long maxBytes;
  private final int verifyJobs;

  ImportApi(Vertx vertx, Repository repo, Pools pools, Checksums checksums, long maxBytes, int verifyJobs) {
    this.vertx = vertx;
    this.repo = repo;
    this.pools = pools;
    this.checksums = checksums;
    this.maxBytes = maxBytes;
    this.verifyJobs = verifyJobs;
  }

  /**
   * First on the route: a request answered before its body was read (refused, over the limit, damaged
   * stream) gets {@code Connection: close}, and its connection is closed once the client has sent the
   * rest of its body, or after {@link #LINGER_BYTES} more bytes or {@link #LINGER_MILLIS}, whichever comes
   * first. Closing at once would reset the connection while the client is still sending, and a TCP reset
   * discards the answer before the client reads it (the lingering close of HTTP servers). Clients that
   * send {@code Expect: 100-continue} get a refusal before they send anything.
   */
  static void closeUnread(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    rc.addHeadersEndHandler(v -> {
      if (!req.isEnded()) {
        rc.response().putHeader("Connection", "close");
      }
    });
    rc.addEndHandler(v -> {
      if (!req.isEnded()) {
        linger(rc.vertx(), req);
      }
    });
    rc.next();
  }

  private static void linger(Vertx vertx, HttpServerRequest req) {
    HttpConnection conn = req.connection();
    long[] dropped = {0};
    long timer = vertx.setTimer(LINGER_MILLIS, t -> conn.close());
    req.exceptionHandler(e -> conn.close());
    req.endHandler(v -> {
      vertx.cancelTimer(timer);
      conn.close();
    });
    req.handler(buf -> {
      dropped[0] += buf.length();
      if (dropped[0] > LINGER_BYTES) {
        vertx.cancelTimer(timer);
        conn.close();
      }
    });
    req.resume();
  }

  void handle(RoutingContext rc) {
    HttpServerRequest req = rc.request();
    req.pause(); // nothing may arrive before the file is open
    Input.query(rc, List.of());
    String type = req.getHeader("Content-Type");
    if (type != null && !type.split(";")[0].trim().equalsIgnoreCase("application/octet-stream")) {
      throw new ApiError(415, ApiError.UNSUPPORTED_MEDIA_TYPE, "send the archive as application/octet-stream");
    }
    String length = req.getHeader("Content-Length");
    if (length != null) {
      long n;
      try {
        n = Long.parseLong(length.trim());
      } catch (NumberFormatException e) {
        throw ApiError.usage("Content-Length is not a number");
      }
      if (n > maxBytes) {
        rc.response().putHeader("Connection", "close");
        throw tooLarge();
      }
    }
    rc.put(Audit.TARGET_KEY, "upload");
    if ("100-continue".equalsIgnoreCase(req.getHeader("Expect"))) {
      rc.response().writeContinue();
    }
    Repository.Upload up = repo.newUploadName();
    String incoming = up.key();
    String partial = "archive " + incoming + " in " + repo.location();
    String upload = "the uploaded archive";
    pools.io().executeBlocking(() -> {
      up.take();
      return repo.storage().create(incoming);
    }, false)
        .compose(sink -> receive(rc, req, sink))
        .compose(v -> new Verifier(vertx, pools, verifyJobs).run(() -> ArchiveReader.open(
            repo.storage().open(incoming).orElseThrow(), incoming + " in " + repo.location(), repo.keys()))
            .recover(e -> Future.failedFuture(corrupt(CairnException.wrap(e, ErrorCode.ARCHIVE_CORRUPT,
                upload).getMessage().replace(partial.toString(), upload)))))
        .compose(report -> {
          if (!report.ok()) {
            List<String> ps = report.problems();
            return Future.failedFuture(corrupt((upload + " is damaged: " + ps.size() + " problem(s): "
                + String.join("; ", ps.subList(0, Math.min(MAX_LISTED, ps.size())))
                + (ps.size() > MAX_LISTED ? "; and " + (ps.size() - MAX_LISTED) + " more" : ""))
                .replace("archive " + partial, upload).replace(partial.toString(), upload)));
          }
          if (report.storageOnly()) {
            return Future.failedFuture(new CairnException(ErrorCode.ARCHIVE_KEY, upload + " is encrypted and none of"
                + " this agent's encryption keys opens it, so its backup id cannot be read",
                "add a passphrase slot of the archive to encryption.keys, or restore it with the cli and a key"));
          }
          String id = report.manifest().id();
          rc.put(Audit.TARGET_KEY, Audit.clean(id));
          return pools.io().executeBlocking(() -> publish(id, incoming), false);
        })
        .onComplete(ar -> {
          pools.io().executeBlocking(() -> {
            up.close();
            return null;
          }, false);
          if (ar.failed()) {
            pools.io().executeBlocking(() -> repo.storage().delete(incoming), false)
                .onComplete(x -> {
                  if (!rc.response().ended()) {
                    ApiError.from(ar.cause()).send(rc);
                  }
                });
          } else {
            rc.response().putHeader("Location", "/api/v1/backups/" + ar.result().id());
            Http.send(rc, 201, BackupsApi.detail(ar.result()));
          }
        });
  }


  private Backups.Entry publish(String id, String incoming) {
    if (id == null || !Repository.ID.matcher(id).matches()) {
      throw corrupt("the uploaded archive's manifest has no valid backup id");
    }
    if (!repo.storage().renameIfAbsent(incoming, repo.archiveKey(id))) {
      throw new ApiError(409, ApiError.BACKUP_EXISTS, "backup " + id + " already exists; not imported",
          "delete it first (DELETE /api/v1/backups/" + id + ") to replace it");
    }
    checksums.forget(id);
    Backups.recordVerification(repo, id, Verification.verified(Instant.now(), "full verify at import"));
    return Backups.read(repo, id);
  }

  /**
   * Streams the body into {@code sink} with back-pressure and the size limit: bytes gather up to
   * {@link #FLUSH_BYTES}, then the request pauses while they are written on the io pool. Commits the
   * sink at the end of the body; aborts it on any failure.
   */
  private Future<Void> receive(RoutingContext rc, HttpServerRequest req, WriteSink sink) {
    Promise<Void> done = Promise.promise();
    long[] received = {0};
    Buffer[] pending = {Buffer.buffer()};
    req.handler(buf -> {
      if (done.future().isComplete()) {
        return;
      }
      received[0] += buf.length();
      if (received[0] > maxBytes) {
        req.pause();
        rc.response().putHeader("Connection", "close");
        done.tryFail(tooLarge());
        return;
      }
      pending[0].appendBuffer(buf);
      if (pending[0].length() >= FLUSH_BYTES) {
        req.pause();
        Buffer out = pending[0];
        pending[0] = Buffer.buffer();
        write(sink, out).onComplete(ar -> {
          if (ar.failed()) {
            done.tryFail(ar.cause());
          } else if (!done.future().isComplete()) {
            req.resume();
          }
        });
      }
    });
    req.exceptionHandler(e -> done.tryFail(
        ApiError.usage("the upload was interrupted after " + received[0] + " bytes: " + e.getMessage())));
    req.endHandler(v -> write(sink, pending[0]).compose(x -> pools.io().executeBlocking(() -> {
      sink.commit();
      return null;
    }, true)).onComplete(ar -> {
      if (ar.failed()) {
        done.tryFail(ar.cause());
      } else {
        done.tryComplete();
      }
    }));
    rc.response().closeHandler(v -> done.tryFail(ApiError.usage("the client closed the connection during the upload")));
    req.resume();
    return done.future().onFailure(e -> pools.io().executeBlocking(() -> {
      sink.abort();
      return null;
    }, true));
  }

  /** Ordered on the io pool: the bytes reach the sink in the order they arrived. */
  private Future<Void> write(WriteSink sink, Buffer b) {
    return pools.io().executeBlocking(() -> {
      sink.write(ByteBuffer.wrap(b.getBytes()));
      return null;
    }, true);
  }

  private ApiError tooLarge() {
    return new ApiError(413, ApiError.BODY_TOO_LARGE, "the archive is larger than http.max_import_size ("
        + maxBytes + " bytes)", "raise http.max_import_size in the agent's configuration");
  }

  private static ApiError corrupt(String message) {
    return new ApiError(422, ErrorCode.ARCHIVE_CORRUPT.name(), message,
        "upload the archive again; check it with: cairn verify");
  }
}
