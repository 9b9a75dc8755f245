package dev.cairn.jobs;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * A job a verticle is running: the worker doing it, the job with its latest progress, and whether an
 * operator asked to cancel it (the failure cancelling causes is then reported as CANCELLED). Progress
 * reports reach the jobs verticle through {@code send}: a new phase, or the totals a phase brings, at once;
 * others at most once per {@link ProgressThrottle#DEFAULT_INTERVAL}, the latest one when the interval is
 * over; none after {@link #end}, so a late report never follows the job's final state. Used on the
 * verticle's context only.
 */
public final class RunningJob<W> {
  private final W worker;
  private final Vertx vertx;
  private final Clock clock;
  private final Consumer<Job> send;
  private final ProgressThrottle throttle = new ProgressThrottle(ProgressThrottle.DEFAULT_INTERVAL);
  private Job job;
  private boolean cancelRequested;
  private boolean ended;

  public RunningJob(Job job, W worker, Vertx vertx, Clock clock, Consumer<Job> send) {
    this.job = job;
    this.worker = worker;
    this.vertx = vertx;
    this.clock = clock;
    this.send = send;
  }

  public W worker() {
    return worker;
  }

  /** The job with the latest progress taken. */
  public Job job() {
    return job;
  }

  public boolean cancelRequested() {
    return cancelRequested;
  }

  /** Records that an operator asked to cancel (the caller stops the worker). */
  public void requestCancel() {
    cancelRequested = true;
  }

  /** Takes a progress report of the worker: folded into the job, sent now or (throttled) later. */
  public void progress(Progress p) {
    if (ended) {
      return;
    }
    boolean news = p.phase() != job.phase() || p.workTotal() != job.workTotal();
    job = job.progress(p, clock.instant());
    long wait = news ? 0 : throttle.offer(clock.millis());
    if (wait == 0) {
      send.accept(job);
    } else if (wait > 0) {
      vertx.setTimer(wait, t -> {
        throttle.sent(clock.millis());
        if (!ended) {
          send.accept(job);
        }
      });
    }
  }

  /** The job is over: no progress update goes out any more (the caller sends its final state). */
  public void end() {
    ended = true;
  }
}
