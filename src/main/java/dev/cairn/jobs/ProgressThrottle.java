package dev.cairn.jobs;

import java.time.Duration;

/**
 * Decides when a job's progress reports are sent to the jobs verticle: the first at once, then at most one
 * per interval. A report that comes too soon is not lost: the caller sends the latest one when the
 * interval is over, so the registry never keeps a stale value for longer than the interval (a restore's
 * data phase ends at 99% even when its last chunks came within a second). Verify and restore report after
 * every chunk, several times a second per worker; a reader polling the registry needs no more. One per
 * job, used on one context; pure, so the caller owns the timer.
 */
public final class ProgressThrottle {
  /** About one update per second per job. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

  private final long intervalMillis;
  private long lastSent;
  private boolean sentAny;
  private boolean sendPlanned;

  public ProgressThrottle(Duration interval) {
    this.intervalMillis = interval.toMillis();
  }

  /**
   * A report arrived at {@code nowMillis}. Returns 0: send it now; a positive number: send the latest report
   * after that many milliseconds, then call {@link #sent}; -1: nothing to do, a send is already planned. A
   * clock that went back lets the report through, so progress never stalls until the clock catches up.
   */
  public long offer(long nowMillis) {
    if (sendPlanned) {
      return -1;
    }
    if (!sentAny || nowMillis < lastSent || nowMillis - lastSent >= intervalMillis) {
      sent(nowMillis);
      return 0;
    }
    sendPlanned = true;
    return intervalMillis - (nowMillis - lastSent);
  }

  /** The planned send happened at {@code nowMillis}. */
  public void sent(long nowMillis) {
    sentAny = true;
    sendPlanned = false;
    lastSent = nowMillis;
  }
}
