package dev.cairn.testkit;

import dev.cairn.storage.s3.S3Credentials;
import dev.cairn.storage.s3.S3Location;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * A real S3-compatible server in this JVM: S3Proxy on loopback with SigV4 authentication and a local
 * directory behind it (a bucket is a subdirectory, an object a file). S3Proxy has no lifecycle rules,
 * no object lock and no {@code partNumber} GET; everything Cairn's driver uses it implements.
 */
public final class S3Server implements AutoCloseable {
  public static final String ACCESS_KEY = "cairn-test-key";
  public static final String SECRET_KEY = "cairn-test-secret-do-not-log";
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final Path dir;

  private S3Server(S3Proxy proxy, Path dir) {
    this.proxy = proxy;
    this.dir = dir;
  }

  /** Starts on a free loopback port with a fresh directory under {@code dir}. */
  public static S3Server start(Path dir) throws Exception {
    Files.createDirectories(dir);
    S3Proxy p = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(dir.toString()))
        .endpoint(URI.create("http://127.0.0.1:0")).awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY,
            SECRET_KEY).ignoreUnknownHeaders(true).build();
    p.start(); // returns once Jetty listens
    return new S3Server(p, dir);
  }

  public int port() {
    return proxy.getPort();
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + port());
  }

  /** Creates a bucket (a directory of the backend). */
  public String bucket(String name) throws Exception {
    Files.createDirectories(dir.resolve(name));
    return name;
  }

  public Path dir() {
    return dir;
  }

  public static S3Credentials credentials() {
    return S3Credentials.find(env());
  }

  /** The environment a cairn process needs to reach this server. */
  public static Map<String, String> env() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_REGION", REGION);
  }

  /** A path-style location of {@code bucket/prefix} on {@code endpoint} (this server, or a proxy in front). */
  public static S3Location location(URI endpoint, String bucket, String prefix, long partSize) {
    return new S3Location(endpoint, REGION, bucket, prefix, true, null, null, "none", null, partSize, null, false);
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
