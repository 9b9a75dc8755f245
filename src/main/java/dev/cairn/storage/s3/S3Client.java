package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.w3c.dom.Element;

/**
 * The S3 operations Cairn uses, as futures that never throw (S3's REST API, on {@link S3Http}). Keys
 * here are full object keys (the repository's prefix included). Statuses that answer a question (404
 * absent, 412 precondition failed) are results; other refusals are {@link CairnException}s.
 */
final class S3Client {
  /** What a HEAD or GET learnt of an object. */
  record Head(long size, String etag, long modifiedMillis) {}

  record Got(Buffer body, String etag) {}

  record Listed(String key, long size, long modifiedMillis) {}

  record Upload(String key, String uploadId, Instant initiated) {}

  /** A part uploaded: its number, ETag (quoted, as S3 sends it) and optional CRC32C (base64). */
  record Part(int number, String etag, String crc32c) {}

  private final S3Http http;
  private final S3Location loc;

  S3Client(S3Http http, S3Location loc) {
    this.http = http;
    this.loc = loc;
  }

  S3Location location() {
    return loc;
  }

  S3Http http() {
    return http;
  }

  /** HeadObject; empty when absent. */
  Future<Optional<Head>> head(String key) {
    return http.send(S3Http.Request.of(HttpMethod.HEAD, key, ErrorCode.REPO_READ, "stat of " + key)).compose(r -> {
      if (r.status() == 404) {
        return Future.succeededFuture(Optional.empty());
      }
      if (!r.ok()) {
        return Future.failedFuture(http.error(S3Http.Request.of(HttpMethod.HEAD, key, ErrorCode.REPO_READ,
            "stat of " + key), r));
      }
      return Future.succeededFuture(Optional.of(new Head(Long.parseLong(r.header("Content-Length")), r.header("ETag"),
          httpDate(r.header("Last-Modified")))));
    });
  }

  /** GetObject of the whole object, or of {@code length} bytes from {@code offset} (length < 0: all); empty when absent. */
  Future<Optional<Got>> get(String key, long offset, long length) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.GET, key, ErrorCode.REPO_READ, length < 0 ? "reading " + key
        : "reading " + length + " bytes of " + key + " at byte offset " + offset);
    if (length >= 0) {
      req.header("Range", "bytes=" + offset + "-" + (offset + length - 1));
    }
    return http.send(req).compose(r -> {
      if (r.status() == 404 && "NoSuchKey".equals(r.errorCode())) {
        return Future.succeededFuture(Optional.empty());
      }
      if (r.status() == 404 && length < 0 && !"NoSuchBucket".equals(r.errorCode())) {
        return Future.succeededFuture(Optional.empty());
      }
      if (!r.ok()) {
        return Future.failedFuture(http.error(req, r));
      }
      return Future.succeededFuture(Optional.of(new Got(r.body(), r.header("ETag"))));
    });
  }

  /**
   * PutObject with Content-MD5; {@code ifNoneMatch} sends {@code If-None-Match: *} (create only), {@code ifMatch}
   * an ETag the current object must have. Returns the new ETag, or empty when the precondition failed (412).
   */
  Future<Optional<String>> put(String key, Buffer body, boolean archive, boolean ifNoneMatch, String ifMatch) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.PUT, key, ErrorCode.REPO_WRITE, "writing " + key)
        .header("Content-MD5", Checksums.md5Base64(body)).header("If-None-Match", ifNoneMatch ? "*" : null)
        .header("If-Match", ifMatch).body(body);
    objectHeaders(req, archive);
    if (loc.crc32c()) {
      req.header("x-amz-checksum-crc32c", Checksums.crc32cBase64(body));
    }
    return http.send(req).compose(r -> {
      if (r.status() == 412 || (r.status() == 404 && ifMatch != null && "NoSuchKey".equals(r.errorCode()))) {
        return Future.succeededFuture(Optional.empty());
      }
      return r.ok() ? Future.succeededFuture(Optional.of(r.header("ETag"))) : Future.failedFuture(http.error(req, r));
    });
  }

  /** DeleteObject (S3 answers 204 whether or not it existed). */
  Future<Void> delete(String key) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.DELETE, key, ErrorCode.REPO_WRITE, "deleting " + key);
    return http.send(req).compose(r -> r.ok() || r.status() == 404 ? Future.succeededFuture()
        : Future.failedFuture(http.error(req, r)));
  }

  /** ListObjectsV2 of the objects directly under {@code prefix} (delimiter '/'), every page. */
  Future<List<Listed>> list(String prefix) {
    return listPage(prefix, null, new ArrayList<>());
  }

  private Future<List<Listed>> listPage(String prefix, String token, List<Listed> acc) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.GET, "", ErrorCode.REPO_READ, "listing " + prefix)
        .query("list-type", "2").query("prefix", prefix).query("delimiter", "/").query("max-keys", "1000");
    if (token != null) {
      req.query("continuation-token", token);
    }
    return http.send(req).compose(r -> {
      if (!r.ok()) {
        return Future.failedFuture(http.error(req, r));
      }
      Element root = S3Xml.parse(r.body());
      for (Element c : S3Xml.children(root, "Contents")) {
        acc.add(new Listed(S3Xml.text(c, "Key"), Long.parseLong(S3Xml.text(c, "Size")),
            Instant.parse(S3Xml.text(c, "LastModified")).toEpochMilli()));
      }
      String next = S3Xml.text(root, "NextContinuationToken");
      return "true".equals(S3Xml.text(root, "IsTruncated")) && next != null ? listPage(prefix, next, acc)
          : Future.succeededFuture(acc);
    });
  }

  /** One cheap authenticated request on the bucket: credentials, bucket and clock are checked here. */
  Future<Void> probe() {
    S3Http.Request req = S3Http.Request.of(HttpMethod.GET, "", ErrorCode.REPO_READ, "listing")
        .query("list-type", "2").query("prefix", loc.prefix()).query("max-keys", "1");
    return http.send(req).compose(r -> r.ok() ? Future.succeededFuture() : Future.failedFuture(http.error(req, r)));
  }

  Future<String> createMultipartUpload(String key, boolean archive) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.POST, key, ErrorCode.REPO_WRITE, "starting the upload of " + key)
        .query("uploads", "");
    objectHeaders(req, archive);
    if (loc.crc32c()) {
      req.header("x-amz-checksum-algorithm", "CRC32C");
    }
    return http.send(req).compose(r -> r.ok() ? Future.succeededFuture(S3Xml.text(S3Xml.parse(r.body()), "UploadId"))
        : Future.failedFuture(http.error(req, r)));
  }

  Future<Part> uploadPart(String key, String uploadId, int number, Buffer body) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.PUT, key, ErrorCode.REPO_WRITE, "uploading part " + number + " ("
        + body.length() + " bytes) of " + key).query("partNumber", Integer.toString(number)).query("uploadId", uploadId)
        .header("Content-MD5", Checksums.md5Base64(body)).body(body);
    String crc = loc.crc32c() ? Checksums.crc32cBase64(body) : null;
    req.header("x-amz-checksum-crc32c", crc);
    return http.send(req).compose(r -> r.ok() ? Future.succeededFuture(new Part(number, r.header("ETag"), crc))
        : Future.failedFuture(http.error(req, r)));
  }

  /** UploadPartCopy: {@code length} bytes of {@code sourceKey} from {@code offset} as part {@code number}. */
  Future<Part> uploadPartCopy(String key, String uploadId, int number, String sourceKey, long offset, long length) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.PUT, key, ErrorCode.REPO_WRITE, "copying part " + number + " of "
        + sourceKey + " to " + key).query("partNumber", Integer.toString(number)).query("uploadId", uploadId)
        .header("x-amz-copy-source", "/" + loc.bucket() + "/" + sourceKey)
        .header("x-amz-copy-source-range", "bytes=" + offset + "-" + (offset + length - 1));
    return http.send(req).compose(r -> {
      if (!r.ok() || S3Xml.errorCode(r.body()).isPresent()) { // a copy can fail after its 200 (S3's own caveat)
        return Future.failedFuture(http.error(req, r));
      }
      return Future.succeededFuture(new Part(number, S3Xml.text(S3Xml.parse(r.body()), "ETag"), null));
    });
  }

  /**
   * CompleteMultipartUpload with {@code If-None-Match: *}: the object appears whole, only if the key is
   * absent. Returns the ETag, or empty when the key existed (412) or the upload is gone (404 NoSuchUpload:
   * completed by an earlier attempt whose answer was lost, or aborted); the caller tells which by HEAD.
   */
  Future<Optional<String>> completeMultipartUpload(String key, String uploadId, List<Part> parts) {
    StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
    for (Part p : parts) {
      xml.append("<Part><PartNumber>").append(p.number()).append("</PartNumber><ETag>").append(S3Xml.escape(p.etag()))
          .append("</ETag>");
      if (p.crc32c() != null) {
        xml.append("<ChecksumCRC32C>").append(p.crc32c()).append("</ChecksumCRC32C>");
      }
      xml.append("</Part>");
    }
    Buffer body = Buffer.buffer(xml.append("</CompleteMultipartUpload>").toString());
    S3Http.Request req = S3Http.Request.of(HttpMethod.POST, key, ErrorCode.REPO_WRITE, "completing the upload of " + key)
        .query("uploadId", uploadId).header("If-None-Match", "*").header("Content-MD5", Checksums.md5Base64(body))
        .body(body);
    return http.send(req).compose(r -> {
      if (r.status() == 412 || (r.status() == 404 && "NoSuchUpload".equals(r.errorCode()))) {
        return Future.succeededFuture(Optional.empty());
      }
      if (!r.ok() || S3Xml.errorCode(r.body()).isPresent()) {
        return Future.failedFuture(http.error(req, r));
      }
      return Future.succeededFuture(Optional.ofNullable(S3Xml.text(S3Xml.parse(r.body()), "ETag")));
    });
  }

  Future<Void> abortMultipartUpload(String key, String uploadId) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.DELETE, key, ErrorCode.REPO_WRITE, "aborting the upload of " + key)
        .query("uploadId", uploadId);
    return http.send(req).compose(r -> r.ok() || r.status() == 404 ? Future.succeededFuture()
        : Future.failedFuture(http.error(req, r)));
  }

  /** ListMultipartUploads under {@code prefix}, every page. */
  Future<List<Upload>> listMultipartUploads(String prefix) {
    return uploadsPage(prefix, null, null, new ArrayList<>());
  }

  private Future<List<Upload>> uploadsPage(String prefix, String keyMarker, String idMarker, List<Upload> acc) {
    S3Http.Request req = S3Http.Request.of(HttpMethod.GET, "", ErrorCode.REPO_READ, "listing unfinished uploads")
        .query("uploads", "").query("prefix", prefix);
    if (keyMarker != null) {
      req.query("key-marker", keyMarker).query("upload-id-marker", idMarker);
    }
    return http.send(req).compose(r -> {
      if (!r.ok()) {
        return Future.failedFuture(http.error(req, r));
      }
      Element root = S3Xml.parse(r.body());
      for (Element u : S3Xml.children(root, "Upload")) {
        acc.add(new Upload(S3Xml.text(u, "Key"), S3Xml.text(u, "UploadId"), Instant.parse(S3Xml.text(u, "Initiated"))));
      }
      return "true".equals(S3Xml.text(root, "IsTruncated"))
          ? uploadsPage(prefix, S3Xml.text(root, "NextKeyMarker"), S3Xml.text(root, "NextUploadIdMarker"), acc)
          : Future.succeededFuture(acc);
    });
  }

  /** Storage class and server-side encryption, on the requests that create objects. */
  private void objectHeaders(S3Http.Request req, boolean archive) {
    req.header("x-amz-storage-class", archive ? loc.archiveStorageClass() : loc.metaStorageClass());
    if (!"none".equals(loc.sse())) {
      req.header("x-amz-server-side-encryption", loc.sse()).header("x-amz-server-side-encryption-aws-kms-key-id",
          loc.kmsKeyId());
    }
  }

  static long httpDate(String s) {
    return s == null ? 0 : ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant().toEpochMilli();
  }

  /** "abc..." without S3's quotes. */
  static String unquote(String etag) {
    return etag == null ? null : etag.replace("\"", "");
  }

  static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
