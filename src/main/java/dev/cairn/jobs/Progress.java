package dev.cairn.jobs;

/**
 * Running totals of a job that moves table data (backup, verify, restore): uncompressed COPY text bytes,
 * rows, tables complete of all tables, and the work done of the whole job's estimated work, which gives
 * the job's percent and estimated finish. The unit of work is the runner's: heap bytes of the relations
 * for a backup (the sizes read in the snapshot), COPY text bytes of the table parts (from the manifest)
 * for a verify or a restore.
 */
public record Progress(long bytes, long rows, int tablesDone, int tablesTotal, long workDone, long workTotal) {}
