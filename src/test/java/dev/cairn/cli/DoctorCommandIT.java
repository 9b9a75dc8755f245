package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DoctorCommandIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path dir;

  @Test
  void reportsEveryCheckAndFailsOnAnUnreadableTableAndAnUnreachableServer() throws Exception {
    String db = PG.newDatabase("doctor");
    PG.psql(db, "CREATE TABLE open_t (i int); CREATE TABLE closed_t (i int); REVOKE ALL ON closed_t FROM PUBLIC;"
        + " GRANT SELECT ON open_t TO cairn_scram;");
    Path cfg = dir.resolve("cairn.yaml");
    Files.writeString(cfg, "repository:\n  path: " + dir.resolve("repo") + "\ndatabases:\n"
        + "  - name: good\n    url: " + PG.conninfo(db) + "\n    schedule: \"@daily\"\n"
        + "  - name: limited\n    url: postgresql://cairn_scram:scram-secret@127.0.0.1:" + PG.port() + "/" + db
        + "?sslmode=disable\n    schedule: \"@daily\"\n"
        + "  - name: gone\n    url: postgresql://postgres@127.0.0.1:1/" + db + "\n    schedule: \"@daily\"\n");
    CairnCli.Run r = CairnCli.run("doctor", "--config", cfg);
    assertEquals(3, r.code(), r.toString());
    String out = r.out();
    assertTrue(out.contains("ok    repository"), out);
    assertTrue(out.contains("ok    good: connected to PostgreSQL"), out);
    assertTrue(out.contains("ok    good: every table is readable"), out);
    assertTrue(out.contains("ok    good: pg_dump 15"), out);
    assertTrue(out.contains("ok    good: pg_dumpall 15"), out);
    assertTrue(out.contains("FAIL  limited: no SELECT privilege on public.closed_t"), out);
    assertTrue(out.contains("FAIL  gone: cannot connect"), out);
    assertTrue(!out.contains("scram-secret"), "no password in the report");
  }
}
