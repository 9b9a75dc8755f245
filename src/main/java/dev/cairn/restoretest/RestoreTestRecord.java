package dev.cairn.restoretest;

import dev.cairn.error.ErrorCode;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import dev.cairn.storage.Verification;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;

/**
 * A restore test's outcome in the backup's verified state: a passed test makes it {@code restore-tested}
 * (when, how long, the recovery time, what was checked); a test that found the archive damaged makes it
 * {@code failed}, as a verify would. Any other failure (the target refused, a SQL check, a difference the
 * target server introduced) says nothing of the archive and leaves the state as it was: it is in the job
 * history and health. Blocking.
 */
public final class RestoreTestRecord {
  private RestoreTestRecord() {}

  public static void record(Repository repo, RestoreTestResult r, Instant now) {
    if (r.passed()) {
      JsonObject test = new JsonObject().put("durationMs", r.durationMs()).put("restoreMs", r.restoreMs())
          .put("target", r.target()).put("checked", new JsonArray(new ArrayList<>(r.checked())));
      Backups.recordVerification(repo, r.backupId(), Verification.restoreTested(now, "restore test", test));
    } else if (ErrorCode.ARCHIVE_CORRUPT.name().equals(r.errorCode())) {
      Backups.recordVerification(repo, r.backupId(), Verification.failed(now, "restore test", r.message(), 1));
    }
  }
}
