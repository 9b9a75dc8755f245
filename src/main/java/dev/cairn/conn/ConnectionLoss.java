package dev.cairn.conn;

import dev.cairn.error.CairnException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import java.time.Instant;

/**
 * Says why a session was lost when its driver could not: pgjdbc writing a COPY into a socket the server
 * has closed reports only "Database connection failed when writing to copy", the server's FATAL unread
 * (over TLS it is never seen). A new session asks the server: the reason it refuses connections with
 * ("the database system is shutting down"), or when it last started, if that was after the job began.
 */
public final class ConnectionLoss {
  /** How long to wait for a restarting server to answer: long enough for a restart, short for an operator. */
  private static final long WAIT_MS = 10_000;
  private static final long RETRY_MS = 500;

  private ConnectionLoss() {}

  /** True for a failure that lost the session (SQLSTATE class 08) rather than one the server reported. */
  public static boolean isLoss(Throwable t) {
    return t instanceof CairnException ce && ce.sqlState() != null && ce.sqlState().startsWith("08");
  }

  /** {@code e} with the server's reason appended when it is a lost session; never fails. */
  public static Future<Throwable> explain(Vertx vertx, ConnSpec spec, Instant jobStart, Throwable e) {
    if (!isLoss(e)) {
      return Future.succeededFuture(e);
    }
    CairnException ce = (CairnException) e;
    Promise<String> reason = Promise.promise();
    probe(vertx, spec, jobStart, System.nanoTime() + WAIT_MS * 1_000_000, null, reason);
    return reason.future().map(r -> r == null ? e : new CairnException(ce.code(), ce.getMessage() + "; " + r,
        "the server shut down or restarted; run the job again once it is up", ce.sqlState(), ce));
  }

  private static void probe(Vertx vertx, ConnSpec spec, Instant jobStart, long deadline, String lastRefusal,
      Promise<String> out) {
    PgConnect.connect(vertx, spec)
        .compose(c -> c.query("SELECT pg_postmaster_start_time() AS t").execute()
            .map(rs -> rs.iterator().next().getOffsetDateTime("t"))
            .eventually(() -> c.close()))
        .onSuccess(started -> out.complete(started.toInstant().isAfter(jobStart)
            ? "the server restarted at " + started.withOffsetSameInstant(java.time.ZoneOffset.UTC).toLocalDateTime()
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                + " UTC" + (lastRefusal == null ? "" : " (meanwhile it answered: " + lastRefusal + ")")
            : lastRefusal))
        .onFailure(t -> {
          // 57P01-57P03: PostgreSQL's own words, e.g. "the database system is shutting down"
          String refusal = t instanceof PgException pe ? pe.getErrorMessage() : lastRefusal;
          if (System.nanoTime() - deadline > 0) {
            out.complete(refusal == null ? "the server does not accept connections: " + t.getMessage()
                : "the server refuses connections: " + refusal);
          } else {
            vertx.setTimer(RETRY_MS, id -> probe(vertx, spec, jobStart, deadline, refusal, out));
          }
        });
  }
}
