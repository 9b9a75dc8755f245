package dev.cairn.storage.s3;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * One S3 request at a time, signed (SigV4, unsigned payload: each body carries Content-MD5 instead) and
 * sent on Vert.x's HttpClient, retried with exponential backoff and full jitter on 5xx, 408, 409, 429,
 * 499, connection errors and stalls, within {@link S3Tuning}'s attempts and total time. The answer is
 * the first response that is not worth retrying; the caller judges its status. Futures, never blocking.
 */
final class S3Http {
  private static final Logger LOG = Logger.getLogger("cairn.storage");

  /** A request: {@code objectKey} "" for the bucket itself; {@code what} names it in messages. */
  record Request(HttpMethod method, String objectKey, Map<String, String> query, Map<String, String> headers,
      Buffer body, ErrorCode failCode, String what) {
    static Request of(HttpMethod m, String objectKey, ErrorCode failCode, String what) {
      return new Request(m, objectKey, new LinkedHashMap<>(), new LinkedHashMap<>(), null, failCode, what);
    }

    Request query(String k, String v) {
      query.put(k, v);
      return this;
    }

    Request header(String k, String v) {
      if (v != null) {
        headers.put(k, v);
      }
      return this;
    }

    Request body(Buffer b) {
      return new Request(method, objectKey, query, headers, b, failCode, what);
    }
  }

  record Response(int status, MultiMap headers, Buffer body) {
    boolean ok() {
      return status / 100 == 2;
    }

    String header(String name) {
      return headers.get(name);
    }

    /** S3's error code from the XML body ("NoSuchKey", "SlowDown"), or "HTTP 503" when there is none. */
    String errorCode() {
      return S3Xml.errorCode(body).orElse("HTTP " + status);
    }
  }

  private final Vertx vertx;
  private final S3Location loc;
  private final S3Credentials creds;
  private final S3Tuning tuning;
  private final Clock clock;
  private final HttpClientAgent client;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

  S3Http(Vertx vertx, S3Location loc, S3Credentials creds, S3Tuning tuning, Clock clock, Map<String, String> env) {
    this.vertx = vertx;
    this.loc = loc;
    this.creds = creds;
    this.tuning = tuning;
    this.clock = clock;
    HttpClientOptions o = new HttpClientOptions().setKeepAlive(true)
        .setConnectTimeout((int) tuning.connectTimeout().toMillis());
    if (loc.secure()) {
      o.setSsl(true).setVerifyHost(true).setTrustAll(false);
      if (loc.caFile() != null) {
        o.setTrustOptions(new PemTrustOptions().addCertPath(loc.caFile().toString()));
      }
    }
    proxy(loc.endpoint(), env, o);
    this.client = vertx.createHttpClient(o, new PoolOptions().setHttp1MaxSize(tuning.maxConnections()));
    // The XML parser's and the signer's first use loads hundreds of classes (seconds on a busy host):
    // here, on the caller's thread, not in a response callback on an event loop.
    S3Xml.errorCode(Buffer.buffer("<Error><Code>Warm</Code></Error>"));
    sign(Request.of(HttpMethod.GET, "", ErrorCode.REPO_READ, "warming up"));
  }

  /** HTTPS_PROXY (HTTP_PROXY for an http endpoint), either case, unless NO_PROXY names the host. */
  static void proxy(URI endpoint, Map<String, String> env, HttpClientOptions o) {
    boolean secure = "https".equals(endpoint.getScheme());
    String url = firstSet(env, secure ? "HTTPS_PROXY" : "HTTP_PROXY", secure ? "https_proxy" : "http_proxy");
    if (url == null) {
      return;
    }
    String noProxy = firstSet(env, "NO_PROXY", "no_proxy");
    List<String> bypass = new ArrayList<>();
    if (noProxy != null) {
      for (String h : noProxy.split(",")) {
        String host = h.strip().toLowerCase(Locale.ROOT);
        if (host.equals("*")) {
          return;
        }
        if (!host.isEmpty()) {
          bypass.add(host.startsWith(".") ? "*" + host : host);
          if (!host.startsWith(".") && !host.startsWith("*")) {
            bypass.add("*." + host);
          }
        }
      }
    }
    URI p = URI.create(url.contains("://") ? url : "http://" + url);
    ProxyOptions po = new ProxyOptions().setType(ProxyType.HTTP).setHost(p.getHost())
        .setPort(p.getPort() > 0 ? p.getPort() : 80);
    if (p.getRawUserInfo() != null) {
      String[] up = p.getUserInfo().split(":", 2);
      po.setUsername(up[0]).setPassword(up.length > 1 ? up[1] : "");
    }
    o.setProxyOptions(po).setNonProxyHosts(bypass);
  }

  private static String firstSet(Map<String, String> env, String... names) {
    for (String n : names) {
      String v = env.get(n);
      if (v != null && !v.isBlank()) {
        return v.strip();
      }
    }
    return null;
  }

  Vertx vertx() {
    return vertx;
  }

  S3Tuning tuning() {
    return tuning;
  }

  /** The first response not worth retrying, or a failure naming every attempt's error. Never throws. */
  Future<Response> send(Request r) {
    try {
      return attempt(r, 1, System.nanoTime(), new ArrayList<>());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private Future<Response> attempt(Request r, int n, long t0, List<String> errors) {
    return once(r).transform(ar -> {
      String error;
      if (ar.succeeded()) {
        Response resp = ar.result();
        if (!retryable(resp.status())) {
          return Future.succeededFuture(resp);
        }
        error = resp.errorCode() + " (HTTP " + resp.status() + ")";
      } else {
        error = describe(ar.cause());
      }
      errors.add(error);
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long cap = Math.max(1, Math.min(tuning.maxDelay().toMillis(),
          tuning.baseDelay().toMillis() << Math.min(20, n - 1)));
      long delay = 1 + ThreadLocalRandom.current().nextLong(cap); // full jitter; Vert.x timers need >= 1 ms
      if (n >= tuning.maxAttempts() || elapsedMs + delay > tuning.totalTime().toMillis()) {
        return Future.failedFuture(new CairnException(r.failCode(), r.what() + " in " + loc.describe() + " failed after "
            + n + " attempt" + (n == 1 ? "" : "s") + " in " + String.format(Locale.ROOT, "%.1f", elapsedMs / 1000.0)
            + " s: " + String.join("; ", errors), "check the endpoint and the network; the store may be overloaded"));
      }
      LOG.fine(() -> r.what() + ": attempt " + n + " failed (" + error + "); retrying in " + delay + " ms");
      return vertx.timer(delay, TimeUnit.MILLISECONDS).compose(x -> attempt(r, n + 1, t0, errors));
    });
  }

  /** 5xx, request timeout, conflicting concurrent operation, throttling, client closed request. */
  static boolean retryable(int status) {
    return status >= 500 || status == 408 || status == 409 || status == 429 || status == 499;
  }

  private Future<Response> once(Request r) {
    SignedRequest signed = sign(r);
    RequestOptions ro = new RequestOptions().setMethod(r.method()).setAbsoluteURI(signed.request().getUri().toString())
        .setIdleTimeout(tuning.idleTimeout().toMillis()).setConnectTimeout(tuning.connectTimeout().toMillis());
    signed.request().forEachHeader((k, vs) -> {
      if (!k.equalsIgnoreCase("Host")) {
        vs.forEach(v -> ro.addHeader(k, v));
      }
    });
    return client.request(ro).compose(req -> (r.body() == null ? req.send() : req.send(r.body()))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b))));
  }

  private SignedRequest sign(Request r) {
    URI u = loc.url(r.objectKey());
    SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(r.method().name()))
        .protocol(u.getScheme()).host(u.getHost()).port(u.getPort() > 0 ? u.getPort() : null)
        .encodedPath(u.getRawPath());
    r.query().forEach(b::putRawQueryParameter);
    b.putHeader("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    r.headers().forEach(b::putHeader);
    SdkHttpRequest req = b.build();
    return signer.sign(s -> s.identity(creds.identity()).request(req)
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, loc.region())
        .putProperty(AwsV4FamilyHttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4FamilyHttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4FamilyHttpSigner.PAYLOAD_SIGNING_ENABLED, false)
        .putProperty(HttpSigner.SIGNING_CLOCK, clock));
  }

  /**
   * A refusal that is the operator's to fix (credentials, bucket, clock) as its own error code with a
   * hint; anything else as {@code r.failCode()} with S3's code and message.
   */
  CairnException error(Request r, Response resp) {
    String code = resp.errorCode();
    String where = loc.describe();
    String s3msg = S3Xml.errorMessage(resp.body()).map(m -> ": " + m).orElse("");
    switch (code) {
      case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
          "TokenRefreshRequired", "InvalidSecurity" -> {
        return new CairnException(ErrorCode.REPO_AUTH, r.what() + " in " + where + " refused for " + creds + ": " + code
            + s3msg, code.equals("AccessDenied")
                ? "grant the key the repository's rights (see the README's IAM policy) on bucket " + loc.bucket()
                : "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or the profile) and the region " + loc.region());
      }
      case "NoSuchBucket" -> {
        return new CairnException(ErrorCode.REPO_NOT_FOUND, "bucket " + loc.bucket() + " does not exist at "
            + loc.endpoint(), "create the bucket, or check the bucket name, the endpoint and --s3-path-style");
      }
      case "RequestTimeTooSkewed" -> {
        return new CairnException(ErrorCode.REPO_CLOCK_SKEW, r.what() + " in " + where + " refused: this host's clock ("
            + clock.instant() + ") is too far from the store's" + s3msg,
            "synchronise the clock (chrony or systemd-timesyncd); S3 accepts 15 minutes of skew");
      }
      default -> {
        if (resp.status() == 403 && resp.body().length() == 0) {
          return new CairnException(ErrorCode.REPO_AUTH, r.what() + " in " + where + " refused for " + creds
              + " (HTTP 403)", "check the credentials and the key's rights on bucket " + loc.bucket());
        }
        return new CairnException(r.failCode(), r.what() + " in " + where + " failed: " + code + s3msg
            + (code.startsWith("HTTP") ? "" : " (HTTP " + resp.status() + ")"));
      }
    }
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    String kind = t.getClass().getSimpleName();
    return m == null || m.isBlank() ? kind : kind.contains("Timeout") ? "timeout: " + m : m;
  }

  void close() {
    client.close();
  }
}
