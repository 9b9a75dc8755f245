package dev.cairn.cli;

import dev.cairn.config.CairnConfig;
import dev.cairn.config.ConfigLoader;
import dev.cairn.config.DatabaseConfig;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.Backups;
import dev.cairn.storage.Repository;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Preflight checks of a configuration against the real servers, one line per check. */
@Command(name = "doctor", description = "Check a configuration against the real servers and the repository.")
final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Option(names = "--config", required = true, paramLabel = "FILE")
  Path config;

  private record Check(boolean ok, String line) {}

  @Override
  public Integer call() {
    Cli.setupLogging(false);
    CairnConfig cfg = ConfigLoader.load(config, System.getenv(), Path.of(System.getProperty("user.home")));
    PrintWriter out = cmd.commandLine().getOut();
    List<Check> checks = new ArrayList<>(repository(cfg));
    for (DatabaseConfig db : cfg.databases()) {
      int[] major = {0};
      checks.addAll(Cli.await(1, (vertx, pools) -> database(vertx, db, major), null));
      if (major[0] > 0) {
        // Runs the programs to read their versions: here on the main thread, never on an event loop.
        tool(checks, db.name() + ": ", "pg_dump", major[0], cfg.pgBin());
        tool(checks, db.name() + ": ", "pg_dumpall", major[0], cfg.pgBin()); // roles and tablespaces
        tool(checks, db.name() + ": ", "pg_restore", major[0], cfg.pgBin());
      }
    }
    checks.forEach(c -> out.println((c.ok ? "ok    " : "FAIL  ") + c.line));
    long failed = checks.stream().filter(c -> !c.ok).count();
    out.println(failed == 0 ? "all " + checks.size() + " checks passed" : failed + " of " + checks.size() + " checks failed");
    return failed == 0 ? 0 : ErrorCode.DB_CONNECT.exitCode();
  }

  /** Every configured repository: writable, and with room for two more backups of the largest size. */
  private static List<Check> repository(CairnConfig cfg) {
    List<Check> out = new ArrayList<>();
    for (dev.cairn.config.RepositoryEntry e : cfg.repositories()) {
      out.addAll(repository(e));
    }
    return out;
  }

  private static List<Check> repository(dev.cairn.config.RepositoryEntry entry) {
    List<Check> out = new ArrayList<>();
    try {
      Repository repo = entry.local() != null ? Repository.openForWrite(entry.local().path())
          : Repository.of(entry.remote().open());
      long biggest = Backups.list(repo).stream().mapToLong(Backups.Entry::bytes).max().orElse(0);
      java.util.OptionalLong space = repo.storage().freeSpace();
      out.add(new Check(true, "repository " + repo.location() + " is writable"
          + (space.isPresent() ? ", " + Cli.bytes(space.getAsLong()) + " free" : "")));
      long free = space.orElse(Long.MAX_VALUE);
      if (biggest > 0 && free < 2 * biggest) {
        out.add(new Check(false, "repository has room for less than two more backups of the largest size ("
            + Cli.bytes(biggest) + ")"));
      }
    } catch (CairnException e) {
      out.add(new Check(false, e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")")));
    }
    return out;
  }

  /** Checks one database; sets {@code major} to the server's major version when it connects. */
  private static Future<List<Check>> database(io.vertx.core.Vertx vertx, DatabaseConfig db, int[] major) {
    List<Check> out = new ArrayList<>();
    ConnSpec spec;
    try {
      spec = ConnSpec.parse(db.url());
    } catch (CairnException e) {
      out.add(new Check(false, db.name() + ": " + e.getMessage()));
      return Future.succeededFuture(out);
    }
    String n = db.name() + ": ";
    return PgConnect.connect(vertx, spec)
        .compose(c -> c.query("SELECT current_setting('server_version') AS v,"
                + " current_setting('server_version_num')::int / 10000 AS major, current_user::text AS who,"
                + " (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) AS bypass,"
                + " pg_has_role(current_user, 'pg_read_all_data', 'MEMBER') AS reader,"
                + " (SELECT coalesce(string_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname), ', '), '')"
                + "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')"
                + "   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'"
                + "   AND NOT has_table_privilege(c.oid, 'SELECT')) AS unreadable,"
                + " (SELECT coalesce(string_agg(quote_ident(n.nspname) || '.' || quote_ident(c.relname), ', '), '')"
                + "   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relrowsecurity"
                + "   AND NOT pg_has_role(current_user, c.relowner, 'USAGE')) AS rls")
            .execute().eventually(() -> c.close()))
        .map(rs -> {
          Row r = rs.iterator().next();
          major[0] = r.getInteger("major");
          out.add(new Check(true, n + "connected to PostgreSQL " + r.getString("v") + " as " + r.getString("who")
              + (r.getBoolean("reader") ? " (pg_read_all_data)" : "")));
          String unreadable = r.getString("unreadable");
          out.add(unreadable.isEmpty() ? new Check(true, n + "every table is readable")
              : new Check(false, n + "no SELECT privilege on " + unreadable
                  + " (grant it, or pg_read_all_data, to " + r.getString("who") + ")"));
          String rls = r.getString("rls");
          if (!rls.isEmpty() && !r.getBoolean("bypass")) {
            out.add(new Check(false, n + "row-level security would hide rows of " + rls
                + " (give " + r.getString("who") + " BYPASSRLS)"));
          }
          ZonedDateTime now = ZonedDateTime.now(db.timezone());
          out.add(new Check(true, n + "next backups " + db.schedule().nextRuns(now, 2)));
          return out;
        })
        .recover(e -> {
          CairnException ce = PgErrors.from(e, "cannot connect to " + spec.describe());
          out.add(new Check(false, n + ce.getMessage() + (ce.hint() == null ? "" : " (hint: " + ce.hint() + ")")));
          return Future.succeededFuture(out);
        });
  }

  private static void tool(List<Check> out, String n, String name, int major, Path pgBin) {
    try {
      PgTool t = PgTool.find(name, major, pgBin);
      out.add(new Check(true, n + name + " " + t.version() + " at " + t.path()));
    } catch (CairnException e) {
      out.add(new Check(false, n + e.getMessage()));
    }
  }
}
