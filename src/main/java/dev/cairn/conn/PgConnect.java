package dev.cairn.conn;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import java.util.function.Consumer;

/**
 * Connection establishment under {@code connect_timeout} as libpq applies it: one deadline for the whole
 * establishment (TCP, TLS, authentication), not only the TCP connect. vertx-pg-client has no such setting,
 * so a server that accepted the connection and never answered held a job forever.
 */
public final class PgConnect {
  private PgConnect() {}

  /**
   * A vertx-pg-client connection. Never throws: invalid options fail the future. Errors other than the
   * timeout are the driver's (callers map them with {@link PgErrors#from}, which keeps a CairnException).
   */
  public static Future<PgConnection> connect(Vertx vertx, ConnSpec spec) {
    Future<PgConnection> attempt;
    try {
      attempt = PgConnection.connect(vertx, spec.toPgConnectOptions());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return within(vertx, spec, attempt, PgConnection::close);
  }

  /**
   * {@code attempt}, failed with {@link #timedOut} once connect_timeout has passed (unchanged when there is
   * none). The driver cannot abandon an attempt: a connection that arrives after the deadline is handed to
   * {@code closeLate}.
   */
  public static <T> Future<T> within(Vertx vertx, ConnSpec spec, Future<T> attempt, Consumer<T> closeLate) {
    int seconds = spec.connectTimeoutSeconds();
    if (seconds == 0) {
      return attempt;
    }
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(seconds * 1000L, t -> result.tryFail(timedOut(spec)));
    attempt.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.failed()) {
        result.tryFail(ar.cause());
      } else if (!result.tryComplete(ar.result())) {
        closeLate.accept(ar.result());
      }
    });
    return result.future();
  }

  /** DB_CONNECT: "cannot connect to u@host:port/db: timeout expired after connect_timeout N s". */
  public static CairnException timedOut(ConnSpec spec) {
    return new CairnException(ErrorCode.DB_CONNECT, "cannot connect to " + spec.describe()
        + ": timeout expired after connect_timeout " + spec.connectTimeoutSeconds() + " s",
        "check that the server is up and accepting connections on that address, or raise connect_timeout");
  }
}
