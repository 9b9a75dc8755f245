package dev.cairn.notify;

import java.time.Duration;

/**
 * A finished restore test, as the notifier takes it on {@link NotifyVerticle#RESTORE_TEST}: the restore-test
 * runner's finished event maps onto it one to one.
 *
 * @param duration the measured recovery time (restore and checks)
 * @param errorCode null when it passed
 */
public record RestoreTestOutcome(String database, String backupId, String jobId, boolean passed, Duration duration,
    String errorCode, String message, String hint) {}
