package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where an S3 repository is and how its objects are written. Never holds a credential, so it can be
 * printed, logged and put in messages as it is.
 *
 * @param endpoint the service's base URL (https://s3.eu-central-1.amazonaws.com, http://127.0.0.1:9000)
 * @param pathStyle bucket in the path (MinIO, S3Proxy, most self-hosted stores) instead of the host name
 * @param prefix "" or a '/'-terminated key prefix every object of the repository is under
 * @param archiveStorageClass storage class of archives (null: the bucket's default)
 * @param metaStorageClass storage class of the small objects: catalog, leases, history (null: default)
 * @param sse none, AES256 or aws:kms ({@code kmsKeyId} optional with aws:kms)
 * @param partSize fixed multipart part size (R2 requires equal parts); memory is parts in flight × this
 * @param caFile PEM file of the CA that signs the endpoint's certificate, instead of the JDK's trust store
 * @param crc32c send x-amz-checksum-crc32c with each part besides Content-MD5
 */
public record S3Location(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
    String archiveStorageClass, String metaStorageClass, String sse, String kmsKeyId, long partSize, Path caFile,
    boolean crc32c) {
  public static final long DEFAULT_PART_SIZE = 32L << 20;
  /** S3's limits: parts are 5 MiB to 5 GiB (the last may be smaller). */
  public static final long MIN_PART_SIZE = 5L << 20;
  public static final long MAX_PART_SIZE = 5L << 30;
  public static final Set<String> SSE = Set.of("none", "AES256", "aws:kms");
  public static final String DEFAULT_REGION = "us-east-1";
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern PREFIX = Pattern.compile("([A-Za-z0-9_][A-Za-z0-9._-]*/){0,8}");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{2,40}");
  private static final Pattern STORAGE_CLASS = Pattern.compile("[A-Z_]{2,40}");

  public S3Location {
    prefix = prefix == null ? "" : prefix;
    sse = sse == null ? "none" : sse;
  }

  /**
   * A location from {@code s3://BUCKET/PREFIX} and the CLI's options; the endpoint defaults to AWS's for
   * the region, the region to AWS_REGION, AWS_DEFAULT_REGION, then us-east-1. USAGE when malformed.
   */
  public static S3Location fromUrl(String url, String endpoint, String region, boolean pathStyle) {
    if (!url.startsWith("s3://")) {
      throw new CairnException(ErrorCode.USAGE, "\"" + url + "\" is not an s3:// URL", "write s3://BUCKET/PREFIX");
    }
    String rest = url.substring("s3://".length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (!prefix.isEmpty() && !prefix.endsWith("/")) {
      prefix += "/";
    }
    String r = region != null ? region : env("AWS_REGION").or(() -> env("AWS_DEFAULT_REGION")).orElse(DEFAULT_REGION);
    S3Location l = new S3Location(endpoint == null ? awsEndpoint(r) : URI.create(endpoint), r, bucket, prefix, pathStyle,
        null, null, "none", null, DEFAULT_PART_SIZE, null, false);
    l.problem().ifPresent(p -> {
      throw new CairnException(ErrorCode.USAGE, "repository " + url + ": " + p);
    });
    return l;
  }

  /** AWS's regional endpoint. */
  public static URI awsEndpoint(String region) {
    return URI.create("https://s3." + region + ".amazonaws.com");
  }

  /** The first thing wrong with this location, as "key: problem", or empty. */
  public Optional<String> problem() {
    if (bucket == null || !BUCKET.matcher(bucket).matches()) {
      return Optional.of("bucket: \"" + bucket + "\" is not a bucket name (3-63 of a-z, 0-9, '.', '-')");
    }
    if (!PREFIX.matcher(prefix).matches()) {
      return Optional.of("prefix: \"" + prefix + "\" must be '/'-separated segments of letters, digits, '.', '_', '-'");
    }
    if (region == null || !REGION.matcher(region).matches()) {
      return Optional.of("region: \"" + region + "\" is not a region name (eu-central-1, us-east-1, auto)");
    }
    String scheme = endpoint == null ? null : endpoint.getScheme();
    if (endpoint == null || endpoint.getHost() == null || !("https".equals(scheme) || "http".equals(scheme))) {
      return Optional.of("endpoint: \"" + endpoint + "\" is not an http:// or https:// URL");
    }
    if (endpoint.getRawPath() != null && !endpoint.getRawPath().isEmpty() && !"/".equals(endpoint.getRawPath())) {
      return Optional.of("endpoint: \"" + endpoint + "\" must not have a path");
    }
    if (!SSE.contains(sse)) {
      return Optional.of("sse: \"" + sse + "\" is not one of none, AES256, aws:kms");
    }
    if (kmsKeyId != null && !"aws:kms".equals(sse)) {
      return Optional.of("kms_key_id: only with sse: aws:kms");
    }
    for (String c : new String[] {archiveStorageClass, metaStorageClass}) {
      if (c != null && !STORAGE_CLASS.matcher(c).matches()) {
        return Optional.of("storage_class: \"" + c + "\" is not a storage class (STANDARD, STANDARD_IA, ...)");
      }
    }
    if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
      return Optional.of("part_size: " + partSize + " bytes is outside S3's 5 MiB to 5 GiB");
    }
    return Optional.empty();
  }

  /** The bucket-level URL, the repository's name in messages: "s3://bucket/prefix/ at https://host". */
  public String describe() {
    return "s3://" + bucket + "/" + prefix + " at " + endpoint.getScheme() + "://" + endpoint.getRawAuthority();
  }

  /** The full object key of a repository key. */
  String objectKey(String key) {
    return prefix + key;
  }

  /**
   * The URL of an object (or of the bucket when {@code objectKey} is empty), without query. Keys are
   * [A-Za-z0-9._-/] by construction ({@code Storage.KEY}, {@link #PREFIX}): nothing needs escaping.
   */
  URI url(String objectKey) {
    String path = objectKey;
    String base = endpoint.getScheme() + "://";
    if (pathStyle) {
      return URI.create(base + endpoint.getRawAuthority() + "/" + bucket + "/" + path);
    }
    return URI.create(base + bucket + "." + endpoint.getRawAuthority() + "/" + path);
  }

  boolean secure() {
    return "https".equals(endpoint.getScheme().toLowerCase(Locale.ROOT));
  }

  private static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
  }
}
