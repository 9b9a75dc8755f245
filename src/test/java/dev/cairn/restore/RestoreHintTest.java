package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** pg_restore's failure hint follows what its errors say, not a guess. */
class RestoreHintTest {

  @Test
  void missingRoleOrTablespaceGetsTheRolesHint() {
    assertTrue(PgRestoreRun.hintFor(List.of("pg_restore: error: could not execute query: ERROR:  role \"alice\" does"
        + " not exist")).contains("--no-owner"));
    assertTrue(PgRestoreRun.hintFor(List.of("pg_restore: error: could not execute query: ERROR:  tablespace \"fast\""
        + " does not exist")).contains("--globals"));
  }

  @Test
  void serverRestartGetsTheRestartHintNotTheRolesOne() {
    String h = PgRestoreRun.hintFor(List.of("pg_restore: error: could not execute query: FATAL:  terminating"
        + " connection due to administrator command"));
    assertTrue(h.contains("restarted") && !h.contains("roles"), h);
  }

  @Test
  void anyOtherErrorGetsNoRolesHint() {
    assertNull(PgRestoreRun.hintFor(List.of("pg_restore: error: could not execute query: ERROR:  function"
        + " inner_f(integer) does not exist")));
  }
}
