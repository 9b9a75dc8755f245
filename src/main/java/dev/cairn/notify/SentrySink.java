package dev.cairn.notify;

import dev.cairn.config.NotificationConfig;
import io.sentry.Hint;
import io.sentry.RequestDetails;
import io.sentry.SentryClient;
import io.sentry.SentryEnvelope;
import io.sentry.SentryEvent;
import io.sentry.SentryLevel;
import io.sentry.SentryOptions;
import io.sentry.protocol.Message;
import io.sentry.transport.ITransport;
import io.sentry.transport.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Error tracking through the Sentry SDK: the SDK builds, scrubs and serialises the envelope on the
 * {@code cairn-notify} pool (it blocks), and core's HTTP client posts it, so Sentry gets the same retries,
 * Retry-After and counting as every sink. A private {@link SentryClient}, not the global hub: no uncaught
 * exception handler, no shutdown hook, no sessions, no PII, no server name.
 */
final class SentrySink extends Sink {
  /** Connection strings and password settings, wherever they appear in a message. */
  private static final Pattern URI_SECRET = Pattern.compile("(?i)\\b(postgres(?:ql)?|https?|smtp)://[^\\s\"'()<>,;]+");
  private static final Pattern KV_SECRET = Pattern.compile("(?i)\\b(password|passwd|secret|token|dsn)\\s*[=:]\\s*[^\\s\"'()<>,;]+");

  private final HttpPost http;
  private final WorkerExecutor pool;
  private final SentryOptions options = new SentryOptions();
  /** Made on the pool at first use: building it reads the DSN and sets up the SDK. */
  private SentryClient client;
  /** The envelope of the capture running now; captures are serialised by {@code this}. */
  private Captured captured;
  private RequestDetails endpoint;

  private record Captured(byte[] body) {}

  SentrySink(String name, NotificationConfig.Sentry config, Set<String> events, HttpPost http, WorkerExecutor pool) {
    super(name, "sentry", events);
    this.http = http;
    this.pool = pool;
    options.setDsn(config.dsn());
    options.setSendDefaultPii(false);
    options.setAttachServerName(false);
    options.setAttachStacktrace(false);
    options.setAttachThreads(false);
    options.setEnableUncaughtExceptionHandler(false);
    options.setEnableShutdownHook(false);
    options.setEnableExternalConfiguration(false);
    options.setEnableAutoSessionTracking(false);
    options.setEnableDeduplication(false);
    options.setSendClientReports(false);
    options.setEnableBackpressureHandling(false);
    options.setBeforeSend((event, hint) -> scrub(event));
    options.setTransportFactory((opts, details) -> new Capture(details));
  }

  @Override
  Future<Void> send(Event e) {
    return pool.<Map.Entry<RequestDetails, byte[]>>executeBlocking(() -> capture(e), false).compose(env -> {
      MultiMap h = MultiMap.caseInsensitiveMultiMap().add("content-type", "application/x-sentry-envelope");
      env.getKey().getHeaders().forEach(h::add);
      return http.post(env.getKey().getUrl().toString(), h, Buffer.buffer(env.getValue()));
    });
  }

  private synchronized Map.Entry<RequestDetails, byte[]> capture(Event e) {
    if (client == null) {
      client = new SentryClient(options);
    }
    captured = null;
    client.captureEvent(event(e), null, new Hint());
    if (captured == null || endpoint == null) {
      throw new DeliveryException("sentry produced no envelope for event " + e.id(), false, null);
    }
    return Map.entry(endpoint, captured.body());
  }

  static SentryEvent event(Event e) {
    SentryEvent s = new SentryEvent();
    Message m = new Message();
    m.setFormatted(e.title() + (e.message() == null ? "" : ": " + e.message()));
    s.setMessage(m);
    s.setLevel(e.type().bad() ? SentryLevel.ERROR : SentryLevel.INFO);
    s.setLogger("cairn.notify");
    s.setTag("event", e.type().code());
    if (e.database() != null) {
      s.setTag("database", e.database());
    }
    if (e.errorCode() != null) {
      s.setTag("error_code", e.errorCode());
    }
    for (Text.Line l : Text.facts(e)) {
      s.setExtra(l.label(), l.value());
    }
    s.setExtra("event_id", e.id());
    // one issue per kind of problem and database, not one per occurrence
    s.setFingerprints(List.of(e.type().code(), String.valueOf(e.database()), String.valueOf(e.errorCode())));
    return s;
  }

  /** beforeSend: no user, request or server name, and no connection string or password in any text. */
  static SentryEvent scrub(SentryEvent s) {
    s.setUser(null);
    s.setRequest(null);
    s.setServerName(null);
    if (s.getMessage() != null && s.getMessage().getFormatted() != null) {
      s.getMessage().setFormatted(scrub(s.getMessage().getFormatted()));
    }
    if (s.getExtras() != null) {
      for (Map.Entry<String, Object> x : Map.copyOf(s.getExtras()).entrySet()) {
        s.setExtra(x.getKey(), x.getValue() instanceof String v && !x.getKey().equals("console") ? scrub(v)
            : x.getValue());
      }
    }
    return s;
  }

  static String scrub(String text) {
    return KV_SECRET.matcher(URI_SECRET.matcher(text).replaceAll("$1://***")).replaceAll("$1=***");
  }

  /** The SDK's transport, replaced: it hands the serialised envelope back instead of sending it. */
  private final class Capture implements ITransport {
    private final RateLimiter limiter = new RateLimiter(options);

    Capture(RequestDetails details) {
      endpoint = details;
    }

    @Override
    public void send(SentryEnvelope envelope, Hint hint) throws java.io.IOException {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        options.getSerializer().serialize(envelope, out);
      } catch (Exception ex) {
        throw new java.io.IOException("cannot serialise the sentry envelope", ex);
      }
      captured = new Captured(out.toByteArray());
    }

    @Override
    public void flush(long timeoutMillis) {
      // nothing is buffered
    }

    @Override
    public RateLimiter getRateLimiter() {
      return limiter;
    }

    @Override
    public void close(boolean isRestarting) {
      close();
    }

    @Override
    public void close() {
      // nothing to release: the envelope went back to deliver()
    }
  }

  @Override
  Future<Void> close() {
    return pool.executeBlocking(() -> {
      synchronized (this) {
        if (client != null) {
          client.close();
        }
      }
      return null;
    }, false);
  }
}
