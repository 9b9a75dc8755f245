package dev.cairn.conn;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.impl.PgConnectionFactory;
import io.vertx.sqlclient.SqlConnection;
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
      attempt = attempt(vertx, spec.toPgConnectOptions());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return within(vertx, spec, attempt, PgConnection::close);
  }

  /**
   * {@link PgConnection#connect} with its connection factory closed on every path. The driver closes the
   * factory (a NetClient) after a connection that succeeded, never after one that failed: with sslmode
   * prefer a failed attempt (a database that does not exist) left the channel of its first, TLS-requesting
   * try open in it, and closing Vert.x then often waited for that channel: a CLI restore with --create
   * (whose preflight finds the database missing that way) exited only after the 10 s close bound.
   */
  private static Future<PgConnection> attempt(Vertx vertx, PgConnectOptions options) {
    PgConnectionFactory factory = new PgConnectionFactory((VertxInternal) vertx);
    Future<SqlConnection> connected = factory.connect(vertx.getOrCreateContext(), options);
    return connected.map(PgConnection::cast).andThen(ar -> {
      if (ar.failed()) {
        factory.close(Promise.promise());
      } else {
        ar.result().closeHandler(v -> factory.close(Promise.promise()));
      }
    });
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
