package dev.cairn.restore;

import dev.cairn.archive.Manifest;
import dev.cairn.archive.Sql;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.Scratch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The properties of the database itself that pg_dump records and pg_restore --create alone restores:
 * owner, comment, security labels, privileges (ACL), connection limit, {@code ALTER DATABASE ... SET} and
 * {@code ALTER ROLE ... IN DATABASE ... SET}. A restore that creates its target (--create, --clean) applies
 * them last, once the data is in (a connection limit or a default_transaction_read_only could stop the
 * restore's own sessions), with pg_dump's own SQL for them: pg_restore prints it, and only the database's
 * name is changed to the target's.
 */
final class DatabaseProperties {
  private static final Logger LOG = Logger.getLogger("cairn.restore");

  private DatabaseProperties() {}

  /** Everything pg_restore --create would restore about the database, but not its CREATE DATABASE. */
  private static boolean wanted(String tocLine) {
    String entry = tocLine.replaceFirst("^\\d+; \\d+ \\d+ ", "");
    return entry.startsWith("DATABASE ") || entry.startsWith("COMMENT - DATABASE ")
        || entry.startsWith("ACL - DATABASE ") || entry.startsWith("SECURITY LABEL - DATABASE ");
  }

  /** {@code schema}: the backup's pg_dump archive, in {@code scratch}. */
  static Future<Void> apply(Vertx vertx, Pools pools, ConnSpec target, PgTool tool, Path schema, Scratch scratch,
      Manifest m, Restorer.Options opts, ChildProcess pgRestore) {
    return pools.io().executeBlocking(() -> statements(tool, schema.toString(), scratch, m, opts, pgRestore,
            target.database()), false)
        .compose(sql -> sql.isEmpty() ? Future.<Void>succeededFuture() : run(vertx, target, sql)
            .onSuccess(v -> LOG.info(() -> "[restore " + m.id() + "] database " + target.database() + ": owner,"
                + " comment, privileges, connection limit and settings restored (" + sql.size() + " statements)")));
  }

  private static List<String> statements(PgTool tool, String schema, Scratch scratch, Manifest m,
      Restorer.Options opts, ChildProcess pgRestore, String targetDb) throws Exception {
    ChildProcess.Result list = pgRestore.runKeepingAll(List.of(tool.path().toString(), "--create", "--list",
        schema), java.util.Map.of());
    if (list.exitCode() != 0) {
      throw failed("pg_restore --list", list);
    }
    List<String> keep = list.output().stream().filter(l -> !l.startsWith(";") && wanted(l)).toList();
    if (keep.isEmpty()) {
      return List.of(); // a backup of some tables only (pg_dump then records nothing of the database)
    }
    scratch.write("database.list", String.join("\n", keep).concat("\n").getBytes(StandardCharsets.UTF_8));
    List<String> cmd = new ArrayList<>(List.of(tool.path().toString(), "--create",
        "--use-list=" + scratch.file("database.list"), "--file=" + scratch.file("database.sql")));
    if (opts.noOwner()) {
      cmd.add("--no-owner");
    }
    if (opts.noAcl()) {
      cmd.add("--no-acl");
    }
    cmd.add(schema);
    ChildProcess.Result r = pgRestore.run(cmd, java.util.Map.of());
    if (r.exitCode() != 0) {
      throw failed("pg_restore --create", r);
    }
    String script;
    try (InputStream in = scratch.read("database.sql")) {
      script = new String(in.readAllBytes(), charset(m.encoding()));
    }
    List<String> out = new ArrayList<>();
    for (String s : SqlTokens.statements(script)) {
      List<SqlTokens.Token> t = SqlTokens.tokens(s);
      if (t.isEmpty() || t.get(0).is("SET") || t.get(0).is("SELECT") || SqlTokens.startsWith(t, "CREATE", "DATABASE")) {
        continue; // the session set-up of pg_restore's script, and the database this restore created itself
      }
      out.add(renamed(s, m.database(), targetDb));
    }
    return out;
  }

  /**
   * {@code statement} with the first {@code DATABASE <source>} naming the target instead. pg_dump names the
   * database right after the keyword, before any literal (a comment's text, a setting's value).
   */
  static String renamed(String statement, String source, String target) {
    for (String form : List.of(Sql.ident(source), source)) {
      String needle = "DATABASE " + form;
      int at = statement.indexOf(needle);
      int end = at + needle.length();
      if (at >= 0 && (end == statement.length() || " ;\n".indexOf(statement.charAt(end)) >= 0)) {
        return statement.substring(0, at) + "DATABASE " + Sql.ident(target) + statement.substring(end);
      }
    }
    throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "cannot find database " + source + " in pg_dump's"
        + " statement: " + statement);
  }

  private static Future<Void> run(Vertx vertx, ConnSpec target, List<String> sql) {
    ConnSpec admin = target.withDatabase("postgres");
    return PgConnect.connect(vertx, admin)
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot connect to " + admin.describe())))
        .compose(c -> each(c, sql, 0, target.database()).eventually(() -> c.close()));
  }

  private static Future<Void> each(PgConnection c, List<String> sql, int i, String db) {
    if (i == sql.size()) {
      return Future.succeededFuture();
    }
    return c.query(sql.get(i)).execute()
        .recover(e -> Future.failedFuture(new CairnException(ErrorCode.PG_RESTORE_FAILED, "cannot restore the"
            + " properties of database " + db + " (" + sql.get(i) + "): " + PgErrors.from(e, db).getMessage(),
            "its data is restored; create the missing roles and run the statement, or restore with"
                + " --no-owner / --no-acl", null, e)))
        .compose(v -> each(c, sql, i + 1, db));
  }

  private static CairnException failed(String what, ChildProcess.Result r) {
    return new CairnException(ErrorCode.PG_RESTORE_FAILED, what + " on the schema of the backup failed (exit code "
        + r.exitCode() + "): " + r.tail(6));
  }

  /** pg_restore prints its script in the archive's encoding; UTF-8 where Java does not know it. */
  private static Charset charset(String pgEncoding) {
    String e = pgEncoding == null ? "UTF8" : pgEncoding.toUpperCase(Locale.ROOT);
    if (e.equals("UTF8")) {
      return StandardCharsets.UTF_8;
    }
    if (e.equals("SQL_ASCII") || e.equals("LATIN1")) {
      return StandardCharsets.ISO_8859_1;
    }
    try {
      return Charset.forName(e.startsWith("WIN") ? "windows-" + e.substring(3) : e);
    } catch (RuntimeException x) {
      return StandardCharsets.UTF_8;
    }
  }
}
