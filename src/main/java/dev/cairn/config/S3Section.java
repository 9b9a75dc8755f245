package dev.cairn.config;

import dev.cairn.storage.s3.S3Credentials;
import dev.cairn.storage.s3.S3Location;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code s3:} section of a repository: where the bucket is, how objects are written, and
 * optionally the key ({@code access_key_id}/{@code secret_access_key}, best as {@code ${VAR}}); without
 * a key the AWS variables and the shared credentials file are used. Problems are reported with their
 * key path ({@code repositories[1].s3.region: required}) like every section; a secret is never echoed.
 */
public final class S3Section {
  static final List<String> KEYS = List.of("endpoint", "region", "bucket", "prefix", "path_style", "storage_class",
      "sse", "kms_key_id", "part_size", "ca_file", "checksum", "access_key_id", "secret_access_key", "session_token");

  /** The location, and the key when the section gives one (else null: found in the environment). */
  public record Parsed(S3Location location, S3Credentials credentials) {}

  private S3Section() {}

  /** Reads {@code s}; on problems (recorded in the section's {@link Problems}) returns null. */
  static Parsed read(Section s) {
    s.known(KEYS);
    int before = s.problemCount();
    String region = s.string("region", null);
    if (region == null) {
      s.problem("region", "required (e.g. eu-central-1; auto for R2)");
    }
    String bucket = s.string("bucket", null);
    if (bucket == null) {
      s.problem("bucket", "required");
    }
    String endpoint = s.string("endpoint", null);
    URI uri = null;
    if (endpoint != null) {
      try {
        uri = URI.create(endpoint.trim());
      } catch (IllegalArgumentException e) {
        s.problem("endpoint", "\"" + endpoint + "\" is not a URL");
      }
    } else if (region != null) {
      uri = S3Location.awsEndpoint(region);
    }
    String prefix = s.string("prefix", "");
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/";
    }
    String archiveClass = null;
    String metaClass = null;
    if (s.isMapping("storage_class")) {
      Section sc = s.section("storage_class");
      sc.known(List.of("archives", "catalog"));
      archiveClass = sc.string("archives", null);
      metaClass = sc.string("catalog", null);
    } else {
      archiveClass = s.string("storage_class", null);
      metaClass = archiveClass;
    }
    String sse = s.string("sse", "none");
    if (!S3Location.SSE.contains(sse)) {
      s.problem("sse", "\"" + sse + "\" is not one of none, AES256, aws:kms");
    }
    long partSize = s.size("part_size", S3Location.DEFAULT_PART_SIZE, S3Location.MIN_PART_SIZE,
        S3Location.MAX_PART_SIZE);
    Path ca = null;
    String caFile = s.string("ca_file", null);
    if (caFile != null) {
      ca = Path.of(caFile.trim());
      if (!Files.isReadable(ca)) {
        s.problem("ca_file", ca + " is not a readable file");
      }
    }
    boolean crc32c = "crc32c".equals(s.oneOf("checksum", "md5", List.of("md5", "crc32c")));
    S3Credentials creds = credentials(s);
    if (s.problemCount() > before || uri == null) {
      return null;
    }
    S3Location loc = new S3Location(uri, region, bucket, prefix, s.bool("path_style", false), archiveClass, metaClass,
        sse, s.string("kms_key_id", null), partSize, ca, crc32c);
    if (loc.problem().isPresent()) {
      String p = loc.problem().get();
      int colon = p.indexOf(": ");
      s.problem(p.substring(0, colon), p.substring(colon + 2));
      return null;
    }
    return new Parsed(loc, creds);
  }

  private static S3Credentials credentials(Section s) {
    String id = s.string("access_key_id", null);
    String secret = s.string("secret_access_key", null);
    if (id == null && secret == null) {
      return null;
    }
    if (id == null || secret == null || id.isBlank() || secret.isBlank()) {
      s.problem(id == null || id.isBlank() ? "access_key_id" : "secret_access_key",
          "access_key_id and secret_access_key go together (write them as ${VAR})");
      return null;
    }
    return new S3Credentials(id.trim(), secret.trim(), s.string("session_token", null), "the configuration");
  }
}
