package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.time.Instant;
import java.util.List;

/** Named restore points: pg_create_restore_point on the server, and a record in the repository (its LSN). */
public final class Marks {
  private Marks() {}

  public static Lsn create(PitrStore store, ClusterConn conn, String name) {
    if (!PitrStore.NAME.matcher(name).matches()) {
      throw new CairnException(ErrorCode.USAGE, "invalid restore point name \"" + name + "\"",
          "1 to 63 letters, digits, _ or -, starting with a letter or digit");
    }
    List<String> r = conn.row("SELECT pg_create_restore_point('" + name + "')::text");
    Lsn lsn = Lsn.parse(r.get(0));
    store.putMark(name, lsn, Instant.now());
    return lsn;
  }
}
