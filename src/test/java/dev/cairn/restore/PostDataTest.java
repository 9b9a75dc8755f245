package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which post-data entries are one table's, from pg_restore's own listing and dependency data. */
class PostDataTest {
  /** {@code pg_restore --list --verbose} of the bench database, trimmed, plus a trigger. */
  private static final List<String> LISTING = List.of(
      ";     dbname: bench",
      "3376; 0 0 ENCODING - ENCODING ",
      "3379; 1262 16384 DATABASE - bench postgres",
      "214; 1259 16429 TABLE public customers postgres",
      "217; 1259 16444 TABLE public events postgres",
      "215; 1259 16434 TABLE public orders postgres",
      "230; 1255 16500 FUNCTION public touch() postgres",
      "3216; 2606 16609 CONSTRAINT public customers customers_pkey postgres",
      ";\tdepends on: 214",
      "3225; 2606 16599 CONSTRAINT public events events_pkey postgres",
      ";\tdepends on: 217",
      "3219; 2606 16607 CONSTRAINT public orders orders_pkey postgres",
      ";\tdepends on: 215 215",
      "3223; 1259 16603 INDEX public events_occurred_at_idx postgres",
      ";\tdepends on: 217",
      "3240; 2620 16700 TRIGGER public events events_touch postgres",
      ";\tdepends on: 217 230",
      "3229; 2606 16613 FK CONSTRAINT public orders orders_customer_id_fkey postgres",
      ";\tdepends on: 214 3216 215");

  /** The post-data entries' ids, as pg_restore's script of that section names them. */
  private static final Set<String> POST = Set.of("3216", "3225", "3219", "3223", "3240", "3229");
  private static final Set<String> ALL = Set.of("public.customers", "public.events", "public.orders");

  @Test
  void indexesConstraintsAndTriggersOfOneTableAreItsOwnAndForeignKeysWaitForTheEnd() {
    PostData.Split s = PostData.split(LISTING, POST, ALL, Set.of("public"), null);
    assertEquals(Map.of(
        "public.customers", List.of(LISTING.get(7)),
        "public.events", List.of(LISTING.get(9), LISTING.get(13), LISTING.get(15)),
        "public.orders", List.of(LISTING.get(11))), s.byTable());
    // the foreign key reaches two tables; the trigger's function is pre-data (it exists by then); the
    // archive's own state entries and the tables are in neither part
    assertEquals(List.of(LISTING.get(17)), s.rest());
    assertEquals(6, s.entries());
    assertEquals(Map.of(LISTING.get(17), Set.of("public.customers", "public.orders")), s.joint(),
        "the foreign key can be built once its two tables are: it needs only customers' primary key");
  }

  @Test
  void aTableNotLoadedByThisRestoreLeavesItsEntriesForTheEnd() {
    PostData.Split s = PostData.split(LISTING, POST, Set.of("public.events"), Set.of("public"), null);
    assertEquals(Set.of("public.events"), s.byTable().keySet());
    assertEquals(3, s.rest().size());
    assertEquals(Map.of(), s.joint(), "the foreign key's tables are not loaded by this restore");
  }

  @Test
  void aForeignKeyNeedingAKeyThatWaitsForTheEndIsNotBuiltEarly() {
    // the referenced unique index is a materialized view's (reaching no table): the key waits with it
    List<String> listing = List.of(
        "214; 1259 16429 TABLE public customers postgres",
        "215; 1259 16434 TABLE public orders postgres",
        "3300; 1259 16800 INDEX public odd_key postgres",
        ";\tdepends on: 250",
        "3229; 2606 16613 FK CONSTRAINT public orders orders_customer_id_fkey postgres",
        ";\tdepends on: 214 3300 215");
    PostData.Split s = PostData.split(listing, Set.of("3300", "3229"), Set.of("public.customers", "public.orders"),
        Set.of("public"), null);
    assertEquals(List.of(listing.get(2), listing.get(4)), s.rest());
    assertEquals(Map.of(), s.joint());
  }

  @Test
  void aPartialRestoreKeepsOnlyTheEntriesOfItsList() {
    PostData.Split s = PostData.split(LISTING, POST, ALL, Set.of("public"), Set.of(LISTING.get(9), LISTING.get(4)));
    assertEquals(Map.of("public.events", List.of(LISTING.get(9))), s.byTable());
    assertEquals(List.of(), s.rest());
  }

  @Test
  void anEntryNeedingOneThatWaitsForTheEndWaitsToo() {
    // an index of a materialized view reaches no table; a constraint of events that needs it must wait
    List<String> listing = List.of(
        "217; 1259 16444 TABLE public events postgres",
        "3300; 1259 16800 INDEX public mv_idx postgres",
        ";\tdepends on: 250",
        "3301; 2606 16801 CONSTRAINT public events odd postgres",
        ";\tdepends on: 217 3300");
    PostData.Split s = PostData.split(listing, Set.of("3300", "3301"), Set.of("public.events"), Set.of("public"), null);
    assertEquals(Map.of(), s.byTable());
    assertEquals(List.of(listing.get(1), listing.get(3)), s.rest());
  }

  @Test
  void schemaNamesWithSpacesAreAnchoredOnTheKnownSchemas() {
    List<String> listing = List.of(
        "300; 1259 1 TABLE my schema big table alice",
        "301; 1259 2 INDEX my schema big_idx alice",
        ";\tdepends on: 300");
    PostData.Split s = PostData.split(listing, Set.of("301"), Set.of("my schema.big table"), Set.of("my schema"), null);
    assertEquals(Map.of("my schema.big table", List.of(listing.get(1))), s.byTable());
  }
}
