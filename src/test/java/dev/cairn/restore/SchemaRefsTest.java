package dev.cairn.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Roles and extensions named by the SQL pg_restore prints for a schema. */
class SchemaRefsTest {
  @Test
  void findsOwnersGranteesGrantorsPolicyRolesMappingsAndExtensions() {
    SchemaRefs r = SchemaRefs.parse(List.of(
        "CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;",
        "CREATE EXTENSION hstore;",
        "SET default_tablespace = '';",
        "SET default_tablespace = fast_disk;",
        "ALTER SCHEMA app OWNER TO app_owner;",
        "ALTER TABLE \"odd schema\".\"to table\" OWNER TO \"Odd Owner\";",
        "ALTER FUNCTION public.f(a integer, \"to\" text) OWNER TO fn_owner;",
        "CREATE TABLE public.t (",
        "    owner text,",
        "    grantee text",
        ");",
        "GRANT SELECT ON TABLE public.t TO reader, \"Other Reader\";",
        "GRANT SELECT(owner) ON TABLE public.t TO col_reader WITH GRANT OPTION;",
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
        "REVOKE ALL ON TABLE public.t FROM app_owner;",
        "SET SESSION AUTHORIZATION grantor;",
        "GRANT INSERT ON TABLE public.t TO writer GRANTED BY grantor;",
        "RESET SESSION AUTHORIZATION;",
        "ALTER DEFAULT PRIVILEGES FOR ROLE app_owner IN SCHEMA app GRANT SELECT ON TABLES TO default_reader;",
        "CREATE POLICY p ON public.t FOR SELECT TO policy_role USING ((owner = CURRENT_USER));",
        "CREATE USER MAPPING FOR mapped SERVER s OPTIONS (\"user\" 'x');",
        "    GRANT inside_a_function_body_is_not_at_line_start TO x;"));
    assertEquals(Set.of("app_owner", "Odd Owner", "fn_owner", "reader", "Other Reader", "col_reader", "grantor",
        "writer", "default_reader", "policy_role", "mapped"), r.roles());
    assertEquals(Set.of("pgcrypto", "hstore"), r.extensions());
    assertEquals(Set.of("fast_disk"), r.tablespaces());
  }
}
