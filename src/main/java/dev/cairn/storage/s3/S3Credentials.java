package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * An access key, found the way the AWS tools find it: the system properties aws.accessKeyId /
 * aws.secretAccessKey / aws.sessionToken, else AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
 * AWS_SESSION_TOKEN, else the profile AWS_PROFILE (default "default") of the shared credentials file
 * AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials). {@link #toString} shows the key id only: the
 * secret and the token are never printed, logged or put in a message.
 */
public final class S3Credentials {
  private final String accessKeyId;
  private final String secret;
  private final String sessionToken;
  private final String source;

  public S3Credentials(String accessKeyId, String secret, String sessionToken, String source) {
    this.accessKeyId = accessKeyId;
    this.secret = secret;
    this.sessionToken = sessionToken == null || sessionToken.isEmpty() ? null : sessionToken;
    this.source = source;
  }

  /** From the environment, then the shared credentials file; REPO_AUTH with a hint when there are none. */
  public static S3Credentials find(Map<String, String> env) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
      return new S3Credentials(id, secret, env.get("AWS_SESSION_TOKEN"), "AWS_ACCESS_KEY_ID");
    }
    String profile = Optional.ofNullable(env.get("AWS_PROFILE")).filter(p -> !p.isBlank()).orElse("default");
    Path file = Optional.ofNullable(env.get("AWS_SHARED_CREDENTIALS_FILE")).filter(p -> !p.isBlank()).map(Path::of)
        .orElseGet(() -> Path.of(System.getProperty("user.home"), ".aws", "credentials"));
    Map<String, String> p = profile(file, profile);
    if (p.containsKey("aws_access_key_id") && p.containsKey("aws_secret_access_key")) {
      return new S3Credentials(p.get("aws_access_key_id"), p.get("aws_secret_access_key"), p.get("aws_session_token"),
          "profile " + profile + " of " + file);
    }
    throw new CairnException(ErrorCode.REPO_AUTH, "no S3 credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are"
        + " not set and " + file + " has no profile " + profile + " with aws_access_key_id and aws_secret_access_key",
        "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE naming a profile of the shared credentials"
            + " file");
  }

  /** From the system properties (as the AWS SDK reads them), the environment, then the shared credentials file. */
  public static S3Credentials fromEnvironment() {
    String id = System.getProperty("aws.accessKeyId");
    String secret = System.getProperty("aws.secretAccessKey");
    if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
      return new S3Credentials(id, secret, System.getProperty("aws.sessionToken"), "aws.accessKeyId");
    }
    return find(System.getenv());
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  /** Where the key was found ("AWS_ACCESS_KEY_ID", "profile backup of /root/.aws/credentials"), for messages. */
  public String source() {
    return source;
  }

  AwsCredentialsIdentity identity() {
    return sessionToken == null ? AwsCredentialsIdentity.create(accessKeyId, secret)
        : AwsSessionCredentialsIdentity.create(accessKeyId, secret, sessionToken);
  }

  @Override
  public String toString() {
    return "access key " + accessKeyId + " (" + source + ")";
  }

  /** The keys of one [profile] section of an INI credentials file; empty when the file or section is absent. */
  static Map<String, String> profile(Path file, String profile) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      throw new CairnException(ErrorCode.REPO_AUTH, "cannot read the S3 credentials file " + file + ": " + e.getMessage(),
          "check its owner and permissions");
    }
    Map<String, String> out = new HashMap<>();
    boolean in = false;
    for (String raw : text.split("\r?\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        String name = line.substring(1, line.length() - 1).strip();
        in = name.equals(profile) || name.equals("profile " + profile);
        continue;
      }
      int eq = line.indexOf('=');
      if (in && eq > 0) {
        out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
      }
    }
    return out;
  }
}
