package dev.cairn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** restore --table brings along the sequences its tables' defaults use, even when a table left out owns them. */
class PartialRestoreSequenceIT {
  private static final PgCluster PG = PgCluster.shared();

  @TempDir Path repo;

  @Test
  void tableWhoseDefaultUsesASequenceOwnedByATableLeftOutRestoresWithTheSequenceAndItsValue() {
    String src = PG.newDatabase("seqdep");
    PG.psql(src, "CREATE TABLE orders (id serial PRIMARY KEY, v text);"
        + " CREATE TABLE order_archive (id int NOT NULL DEFAULT nextval('orders_id_seq'), v text);"
        + " INSERT INTO orders (v) SELECT 'o' || g FROM generate_series(1, 40) g;"
        + " INSERT INTO order_archive (v) SELECT 'a' || g FROM generate_series(1, 7) g;");
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo);
    assertEquals(0, b.code(), b.toString());
    String dst = src + "_part";
    CairnCli.Run r = CairnCli.run("restore", b.lastLine(), "--repo", repo, "--db", PG.conninfo(dst), "--create",
        "--table", "public.order_archive");
    assertEquals(0, r.code(), r.toString());
    assertEquals("7|47", PG.psql(dst, "SELECT count(*), max(id) FROM order_archive").strip());
    assertEquals("f", PG.psql(dst, "SELECT to_regclass('public.orders') IS NOT NULL").strip(), "orders stays out");
    // the sequence's value came along: the next row continues where the source left off
    PG.psql(dst, "INSERT INTO order_archive (v) VALUES ('next')");
    assertEquals("48", PG.psql(dst, "SELECT max(id) FROM order_archive").strip());
    assertEquals("", PG.psql(dst, "SELECT coalesce(string_agg(refobjid::regclass::text, ','), '') FROM pg_depend"
        + " WHERE objid = 'public.orders_id_seq'::regclass AND deptype = 'a'").strip(), "owned by nothing");
  }
}
