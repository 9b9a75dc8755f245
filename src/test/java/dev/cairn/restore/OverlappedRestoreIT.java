package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.testkit.CairnCli;
import dev.cairn.testkit.PgCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore builds each table's indexes and constraints as soon as the table is loaded, and the foreign keys
 * and everything else once all are: the result is the same schema, every index and constraint valid.
 */
class OverlappedRestoreIT {
  private static final PgCluster PG = PgCluster.shared();
  /** What the catalog says of the user schema: relation kinds, indexes, constraints, triggers, validity. */
  private static final String SHAPE = "SELECT (SELECT string_agg(relname || ':' || relkind::text, ',' ORDER BY relname)"
      + " FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
      + " || ' | ' || (SELECT count(*) FILTER (WHERE indisvalid AND indisready) || '/' || count(*) FROM pg_index i"
      + " JOIN pg_class c ON c.oid = i.indrelid WHERE c.relnamespace = 'public'::regnamespace)"
      + " || ' | ' || (SELECT count(*) FILTER (WHERE convalidated) || '/' || count(*) FROM pg_constraint"
      + " WHERE connamespace = 'public'::regnamespace)"
      + " || ' | ' || (SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)"
      + " || ' | ' || (SELECT string_agg(matviewname || ':' || ispopulated::text, ',') FROM pg_matviews)";

  @TempDir Path repo;

  /** A backup of {@code src}, restored with --create --jobs 2 into {@code dst}: the restore's run. */
  private CairnCli.Run backupAndRestore(String src, String dst) {
    CairnCli.Run b = CairnCli.run("backup", "--db", PG.conninfo(src), "--repo", repo, "--progress", "none");
    assertEquals(0, b.code(), b.toString());
    return CairnCli.run("restore", b.lastLine(), "--repo", repo, "--db", PG.conninfo(dst), "--create", "--jobs", "2",
        "--progress", "none");
  }

  @Test
  void everyIndexConstraintTriggerAndViewIsPresentAndValidAfterAnOverlappedRestore() {
    String src = PG.newDatabase("overlap");
    PG.psql(src, "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;"
        + " CREATE TABLE big (id int PRIMARY KEY, v text NOT NULL UNIQUE, n int CHECK (n >= 0));"
        + " CREATE INDEX big_n ON big (n); CREATE INDEX big_lower ON big (lower(v));"
        + " CREATE TABLE small (id int PRIMARY KEY, big_id int REFERENCES big (id), note text);"
        + " CREATE INDEX small_big ON small (big_id);"
        + " CREATE TRIGGER small_touch BEFORE UPDATE ON small FOR EACH ROW EXECUTE FUNCTION touch();"
        + " CREATE TABLE empty_t (id int PRIMARY KEY, small_id int REFERENCES small (id));"
        + " CREATE TABLE parted (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);"
        + " CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (50);"
        + " CREATE TABLE parted_2 PARTITION OF parted FOR VALUES FROM (50) TO (100);"
        + " CREATE INDEX parted_k ON parted (k);"
        + " INSERT INTO big SELECT g, 'v' || g, g % 100 FROM generate_series(1, 20000) g;"
        + " INSERT INTO small SELECT g, g * 3, 'n' || g FROM generate_series(1, 5000) g;"
        + " INSERT INTO parted SELECT g, g % 100 FROM generate_series(1, 2000) g;"
        + " CREATE MATERIALIZED VIEW mv AS SELECT n, count(*) AS c FROM big GROUP BY n;"
        + " CREATE UNIQUE INDEX mv_n ON mv (n);");
    String dst = src + "_r";
    CairnCli.Run r = backupAndRestore(src, dst);
    assertEquals(0, r.code(), r.toString());

    String shape = PG.psql(dst, SHAPE).strip();
    assertEquals(PG.psql(src, SHAPE).strip(), shape);
    assertTrue(shape.matches(".* \\| ([1-9][0-9]*)/\\1 \\| ([1-9][0-9]*)/\\2 \\| 1 \\| mv:true"), shape);
    assertEquals(PG.schemaDump(src), PG.schemaDump(dst));
    // every table, the partitioned parent and the view have statistics, and so has the expression index:
    // its table was analyzed after the index was built
    assertEquals("big,big_lower,mv,parted,parted_1,parted_2,small", PG.psql(dst, "SELECT string_agg(DISTINCT tablename, ','"
        + " ORDER BY tablename) FROM pg_stats WHERE schemaname = 'public'").strip());
  }

  /**
   * A unique index over values that collide only on the target (its function reads a setting the source
   * had and pg_restore's session has not): the build fails while other tables may still load, and the
   * restore stops, naming the index and its table.
   */
  @Test
  void aFailingIndexBuildStopsTheRestoreNamingTheIndex() {
    String src = PG.newDatabase("overlapfail");
    PG.psql(src, "CREATE FUNCTION bucket(x int) RETURNS int LANGUAGE sql IMMUTABLE AS"
        + " $$SELECT x / coalesce(nullif(current_setting('cairn.bucket', true), '')::int, 1000)$$;"
        + " CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE mid (id int PRIMARY KEY);"
        + " CREATE TABLE z (id int PRIMARY KEY, mid_id int REFERENCES mid (id));"
        + " INSERT INTO a SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g;"
        + " INSERT INTO mid SELECT generate_series(1, 500); INSERT INTO z SELECT g, g FROM generate_series(1, 500) g;"
        + " SET cairn.bucket = 1; CREATE UNIQUE INDEX mid_bucket ON mid (bucket(id));");
    String dst = src + "_r";
    CairnCli.Run r = backupAndRestore(src, dst);
    assertEquals(4, r.code(), r.toString());
    // mid may be built alone or with the tables loaded meanwhile
    assertTrue(r.err().matches("(?s).*building the indexes and constraints of tables? [^:]*public\\.mid\\b.*"), r.err());
    assertTrue(r.err().contains("could not create unique index \"mid_bucket\""), r.err());
    assertTrue(r.err().contains("is left partly restored"), r.err());
    assertFalse(r.out().contains("row counts match"), r.toString());
    assertEquals("0", PG.psql(dst, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'").strip(),
        "the foreign key to mid, whose build failed, was not built");
  }
}
