package dev.cairn.http;

import dev.cairn.copy.Placement;
import dev.cairn.storage.Repository;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import dev.cairn.storage.ReadSource;
import dev.cairn.storage.Storage;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;

/**
 * GET (and HEAD) /api/v1/backups/{id}/archive: the archive file with Content-Length, one byte range on
 * request (206, or 416 when it starts past the end), and the whole file's SHA-256 in
 * {@code X-Cairn-Sha256} (hex) and {@code Repr-Digest} (RFC 9530). The file is opened and hashed on the
 * io pool, then streamed with back-pressure from a file Vert.x opens; a deletion during the download does not
 * cut it short.
 */
final class ArchiveDownload {
  private static final Logger LOG = Logger.getLogger("cairn.http");

  private record Open(ReadSource in, long size, String sha256) {}

  private final Vertx vertx;
  private final Placement placement;
  private final WorkerExecutor io;
  private final Checksums checksums;

  ArchiveDownload(Vertx vertx, Placement placement, WorkerExecutor io, Checksums checksums) {
    this.vertx = vertx;
    this.placement = placement;
    this.io = io;
    this.checksums = checksums;
  }

  /**
   * POST /api/v1/backups/{id}/download-ticket: 201 with a URL that fetches the archive without an
   * Authorization header for {@link DownloadTickets#TTL}; 404 for a backup the repository does not hold.
   */
  void ticket(RoutingContext rc, DownloadTickets tickets, Clock clock) {
    Input.query(rc, List.of());
    String id = Input.backupId(rc);
    Input.body(rc, List.of());
    io.executeBlocking(() -> placement.holder(id), false).onComplete(ar -> { // BACKUP_NOT_FOUND, as the download
      if (ar.failed()) {
        ApiError.from(ar.cause()).send(rc);
        return;
      }
      DownloadTickets.Ticket t = tickets.issue(id, Auth.token(rc), clock.instant());
      Http.send(rc, 201, new JsonObject().put("ticket", t.value())
          .put("url", HttpVerticle.BASE + "/backups/" + id + "/archive?ticket=" + t.value())
          .put("expires", t.expires().toString()));
    });
  }

  void handle(RoutingContext rc) {
    Input.query(rc, List.of("ticket"));
    String id = Input.backupId(rc);
    io.executeBlocking(() -> open(id), false).onComplete(ar -> {
      if (ar.failed()) {
        ApiError.from(ar.cause()).send(rc);
        return;
      }
      try {
        send(rc, id, ar.result());
      } catch (RuntimeException e) {
        close(ar.result().in());
        ApiError.from(e).send(rc);
      }
    });
  }

  /** Opens the archive once: an open source keeps its bytes even if the backup is deleted meanwhile. */
  private Open open(String id) {
    Repository repo = placement.holder(id).repository();
    Storage.ObjectInfo info = repo.archive(id);
    ReadSource in = repo.openSource(id, "download");
    try {
      return new Open(in, in.size(), checksums.sha256(id, in, in.size(), info.modifiedMillis()));
    } catch (RuntimeException e) {
      in.close();
      throw e;
    }
  }

  private void close(ReadSource in) {
    io.executeBlocking(() -> {
      in.close();
      return null;
    }, false);
  }

  private void send(RoutingContext rc, String id, Open o) {
    Ranges.Range r = Ranges.parse(rc.request().getHeader("Range"), o.size());
    HttpServerResponse resp = rc.response();
    resp.putHeader("Accept-Ranges", "bytes")
        .putHeader("X-Cairn-Sha256", o.sha256())
        .putHeader("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(HexFormat.of().parseHex(o.sha256())) + ":")
        .putHeader("Cache-Control", "no-store");
    if (r.unsatisfiable()) {
      throw new ApiError(416, ApiError.RANGE_NOT_SATISFIABLE, "range " + Audit.clean(rc.request().getHeader("Range"))
          + " starts past the end of backup " + id + " (" + o.size() + " bytes)")
          .header("Content-Range", "bytes */" + o.size());
    }
    resp.putHeader("Content-Type", "application/octet-stream")
        .putHeader("Content-Disposition", "attachment; filename=\"" + id + Repository.SUFFIX + "\"");
    if (r.whole()) {
      resp.setStatusCode(200);
    } else {
      resp.setStatusCode(206).putHeader("Content-Range", "bytes " + r.start() + "-" + r.end() + "/" + o.size());
    }
    resp.putHeader("Content-Length", Long.toString(r.length()));
    if (rc.request().method() == HttpMethod.HEAD) {
      close(o.in());
      resp.end();
      return;
    }
    new SourcePump(o.in(), io, r.start(), r.length()).pipeTo(resp).onComplete(x -> {
      if (x.failed()) {
        LOG.fine(() -> "download of " + id + " ended early: " + x.cause().getMessage());
      }
      close(o.in());
    });
  }
}
