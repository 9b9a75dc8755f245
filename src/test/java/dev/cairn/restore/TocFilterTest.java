package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.archive.Manifest;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Against a real pg_restore -l listing (src/test/resources/toc/sample.list, made by pg_dump 15). */
class TocFilterTest {
  private static Manifest.Table table(String schema, String name, List<String> indexes, List<Manifest.ForeignKey> fks) {
    return new Manifest.Table(1, schema, name, false, List.of("id"), 0, 0, 0, List.of(), indexes, fks);
  }

  private static final Manifest MANIFEST = new Manifest(1, "x-20260101T000000Z", "x", "dev", "15", 150000, "15",
      "UTF8", "snap", Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, new JsonObject(), List.of(),
      List.of(table("Weird Schema", "my table", List.of("my table_pkey"), List.of()),
          table("public", "a", List.of("a_idx", "a_pkey"), List.of(new Manifest.ForeignKey("a_b", "public", "b"))),
          table("public", "b", List.of("b_pkey"), List.of(new Manifest.ForeignKey("b_a_id_fkey", "public", "a"))),
          table("public", "p1", List.of("p1_x_idx"), List.of())),
      List.of(new Manifest.Sequence("Weird Schema", "my table_id_seq", 1, false, "Weird Schema", "my table"),
          new Manifest.Sequence("public", "a_id_seq", 1, false, "public", "a")),
      List.of(new Manifest.Matview("public", "mv", true)));

  private static List<String> kept(List<Manifest.Table> selected) throws Exception {
    List<String> toc = Files.readAllLines(Path.of("src/test/resources/toc/sample.list"));
    return TocFilter.filter(toc, MANIFEST, selected).keep().stream()
        .map(l -> l.replaceFirst("^\\d+; \\d+ \\d+ ", "")).collect(Collectors.toList());
  }

  @Test
  void oneTableKeepsItsOwnObjectsAndEveryNonRelationObject() throws Exception {
    List<String> keep = kept(List.of(MANIFEST.tables().get(2)));
    assertEquals(List.of("SCHEMA - Weird Schema postgres", "FUNCTION public f() postgres", "TABLE public b postgres",
        "TABLE public p postgres", "CONSTRAINT public b b_pkey postgres", "INDEX public p_x_idx postgres"), keep);
  }

  @Test
  void foreignKeyToATableNotRestoredIsDroppedWithANote() throws Exception {
    List<String> toc = Files.readAllLines(Path.of("src/test/resources/toc/sample.list"));
    TocFilter.Outcome out = TocFilter.filter(toc, MANIFEST, List.of(MANIFEST.tables().get(2)));
    assertEquals(1, out.notes().size());
    assertTrue(out.notes().get(0).contains("b_a_id_fkey") && out.notes().get(0).contains("public.a"),
        out.notes().get(0));
  }

  @Test
  void tablesInASchemaWithSpacesAreMatchedWithTheirSequenceAndConstraints() throws Exception {
    List<String> keep = kept(List.of(MANIFEST.tables().get(0)));
    assertTrue(keep.contains("TABLE Weird Schema my table postgres"), keep.toString());
    assertTrue(keep.contains("SEQUENCE Weird Schema my table_id_seq postgres"), keep.toString());
    assertTrue(keep.contains("DEFAULT Weird Schema my table id postgres"), keep.toString());
    assertTrue(keep.contains("CONSTRAINT Weird Schema my table my table_pkey postgres"), keep.toString());
    assertTrue(keep.stream().noneMatch(l -> l.contains("public a")), keep.toString());
  }

  @Test
  void twoTablesThatReferenceEachOtherKeepBothForeignKeysCommentsGrantsAndPolicies() throws Exception {
    List<String> keep = kept(List.of(MANIFEST.tables().get(1), MANIFEST.tables().get(2)));
    for (String want : List.of("FK CONSTRAINT public a a_b postgres", "FK CONSTRAINT public b b_a_id_fkey postgres",
        "COMMENT public TABLE a postgres", "COMMENT public COLUMN a.b_id postgres", "ACL public TABLE a postgres",
        "POLICY public a p postgres", "ROW SECURITY public a postgres", "TRIGGER public a t postgres",
        "SEQUENCE public a_id_seq postgres", "INDEX public a_idx postgres")) {
      assertTrue(keep.contains(want), want + " missing from " + keep);
    }
    assertTrue(keep.stream().noneMatch(l -> l.startsWith("VIEW") || l.startsWith("MATERIALIZED VIEW")
        || l.startsWith("BLOB")), keep.toString());
  }

  /** pg_restore --list --verbose of a table whose default uses another table's serial (pg_dump 15). */
  @Test
  void sequenceOwnedByATableLeftOutComesAlongWhenAKeptTableDependsOnItWithoutItsOwnedBy() {
    List<String> toc = List.of("215; 1259 16392 TABLE public orders postgres",
        "214; 1259 16391 SEQUENCE public orders_id_seq postgres", ";\tdepends on: 215",
        "3355; 0 0 SEQUENCE OWNED BY public orders_id_seq postgres", ";\tdepends on: 214",
        "216; 1259 16400 TABLE public order_archive postgres", ";\tdepends on: 214",
        "3203; 2604 16395 DEFAULT public orders id postgres", ";\tdepends on: 214 215 215");
    Manifest m = new Manifest(1, "x-20260101T000000Z", "x", "dev", "15", 150000, "15", "UTF8", "snap", Instant.EPOCH,
        Instant.EPOCH, Instant.EPOCH, new JsonObject(), List.of(),
        List.of(table("public", "orders", List.of(), List.of()), table("public", "order_archive", List.of(), List.of())),
        List.of(new Manifest.Sequence("public", "orders_id_seq", 47, true, "public", "orders")), List.of());
    TocFilter.Outcome out = TocFilter.filter(toc, m, List.of(m.tables().get(1)));
    assertEquals(List.of("214; 1259 16391 SEQUENCE public orders_id_seq postgres",
        "216; 1259 16400 TABLE public order_archive postgres"), out.keep());
    assertEquals(java.util.Set.of("public.orders_id_seq"), out.sequences());
    assertTrue(out.notes().stream().anyMatch(n -> n.contains("orders_id_seq") && n.contains("order_archive")),
        out.notes().toString());
  }
}
