package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The filter of pg_dumpall --globals-only output: creates what is missing, never touches what exists. */
class GlobalsScriptTest {
  /** As pg_dumpall 15 prints it (passwords shortened). */
  private static final String SCRIPT = String.join("\n",
      "--",
      "-- PostgreSQL database cluster dump",
      "--",
      "",
      "\\restrict Vt7c2FbZdbajIJwlMV2euZBCIUeckMExalHDZtnFmtbBtvvKsOG1Oz5qMe7nOrZ",
      "",
      "SET default_transaction_read_only = off;",
      "SET client_encoding = 'UTF8';",
      "CREATE ROLE postgres;",
      "ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;",
      "CREATE ROLE r_owner;",
      "ALTER ROLE r_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;",
      "CREATE ROLE \"R User\";",
      "ALTER ROLE \"R User\" WITH NOSUPERUSER LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc;def';",
      "COMMENT ON ROLE \"R User\" IS 'it''s; two",
      "lines';",
      "CREATE ROLE app;",
      "ALTER ROLE app WITH NOLOGIN;",
      "--",
      "-- User Config \"R User\"",
      "--",
      "ALTER ROLE \"R User\" SET work_mem TO '8MB';",
      "ALTER ROLE app SET search_path TO 'x';",
      "GRANT r_owner TO \"R User\" WITH ADMIN OPTION GRANTED BY postgres;",
      "GRANT app TO \"R User\" GRANTED BY boss;",
      "GRANT pg_read_all_data TO app GRANTED BY postgres;",
      "GRANT pg_read_all_data TO r_owner GRANTED BY postgres;",
      "GRANT r_owner TO nobody GRANTED BY postgres;",
      "CREATE TABLESPACE ts1 OWNER r_owner LOCATION '/srv/ts1';",
      "ALTER TABLESPACE ts1 SET (random_page_cost=2);",
      "GRANT ALL ON TABLESPACE ts1 TO \"R User\";",
      "CREATE TABLESPACE old OWNER postgres LOCATION '/srv/old';",
      "GRANT ALL ON TABLESPACE old TO app;",
      "",
      "\\unrestrict Vt7c2FbZdbajIJwlMV2euZBCIUeckMExalHDZtnFmtbBtvvKsOG1Oz5qMe7nOrZ",
      "");

  @Test
  void keepsOnlyStatementsAboutRolesAndTablespacesTheTargetLacks() {
    GlobalsScript g = GlobalsScript.filter(SCRIPT, Set.of("postgres", "app", "pg_read_all_data"), Set.of("old"));
    assertEquals(Set.of("r_owner", "R User"), g.newRoles());
    assertEquals(Map.of("ts1", "/srv/ts1"), g.newTablespaces());
    assertEquals(List.of(
        "SET default_transaction_read_only = off",
        "SET client_encoding = 'UTF8'",
        "CREATE ROLE r_owner",
        "ALTER ROLE r_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS",
        "CREATE ROLE \"R User\"",
        "ALTER ROLE \"R User\" WITH NOSUPERUSER LOGIN PASSWORD 'SCRAM-SHA-256$4096:abc;def'",
        "COMMENT ON ROLE \"R User\" IS 'it''s; two\nlines'",
        "ALTER ROLE \"R User\" SET work_mem TO '8MB'",
        "GRANT r_owner TO \"R User\" WITH ADMIN OPTION GRANTED BY postgres",
        "GRANT app TO \"R User\"",
        "GRANT pg_read_all_data TO r_owner GRANTED BY postgres",
        "CREATE TABLESPACE ts1 OWNER r_owner LOCATION '/srv/ts1'",
        "ALTER TABLESPACE ts1 SET (random_page_cost=2)",
        "GRANT ALL ON TABLESPACE ts1 TO \"R User\""), g.statements());
    // postgres and app (4), the settings of app, the membership between existing roles, the one with a
    // member that exists nowhere, and the existing tablespace with its grant (2)
    assertEquals(9, g.skipped());
  }

  @Test
  void aTargetWithEveryRoleAndTablespaceGetsOnlySessionSettings() {
    GlobalsScript g = GlobalsScript.filter(SCRIPT, Set.of("postgres", "app", "r_owner", "R User",
        "pg_read_all_data", "nobody"), Set.of("ts1", "old"));
    assertTrue(g.newRoles().isEmpty());
    assertTrue(g.newTablespaces().isEmpty());
    assertTrue(g.statements().stream().allMatch(s -> s.startsWith("SET ")), g.statements().toString());
    assertFalse(g.statements().isEmpty());
  }
}
