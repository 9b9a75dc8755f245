package dev.cairn.cli;

import dev.cairn.config.CairnConfig;
import dev.cairn.config.RepositoryEntry;
import dev.cairn.config.DatabaseConfig;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.PgTool;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Preflight checks of a configuration against the real servers, one line per check. */
@Command(name = "doctor", description = "Check a configuration against the real servers and the repository.")
final class DoctorCommand implements Callable<Integer> {
  @Spec CommandSpec cmd;

  @Mixin RepoOptions repo;

  /** One line of the report; {@code code}: what failed (doctor's exit code when only a repository is checked). */
  record Check(boolean ok, String line, ErrorCode code) {
    Check(boolean ok, String line) {
      this(ok, line, ok ? null : ErrorCode.DB_CONNECT);
    }
  }

  @Override
  public Integer call() {
    Cli.setupLogging(false);
    PrintWriter out = cmd.commandLine().getOut();
    if (repo.given()) { // one repository only
      RepositoryEntry e = repo.entry();
      List<Check> checks = e != null ? repository(repo.configuration(), e)
          : RepositoryDoctor.check("repository " + repo.repo, repo::openForWrite, repo.s3());
      return report(out, checks, checks.stream().filter(c -> !c.ok()).map(Check::code).findFirst().orElse(null));
    }
    if (repo.config == null) {
      throw new CairnException(ErrorCode.USAGE, "nothing to check", "give --config FILE (the whole configuration),"
          + " --repo DIR|s3://BUCKET/PREFIX, or --config FILE --repository NAME");
    }
    CairnConfig cfg = repo.configuration();
    List<Check> checks = new ArrayList<>(repositories(cfg));
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
    return report(out, checks, ErrorCode.DB_CONNECT);
  }

  /** Prints the checks; 0 when all passed, else {@code failure}'s exit code. */
  private static int report(PrintWriter out, List<Check> checks, ErrorCode failure) {
    checks.forEach(c -> out.println((c.ok ? "ok    " : "FAIL  ") + c.line));
    long failed = checks.stream().filter(c -> !c.ok).count();
    out.println(failed == 0 ? "all " + checks.size() + " checks passed" : failed + " of " + checks.size() + " checks failed");
    return failed == 0 || failure == null ? 0 : failure.exitCode();
  }

  /** Every configured repository (see {@link RepositoryDoctor}). */
  private List<Check> repositories(CairnConfig cfg) {
    List<Check> out = new ArrayList<>();
    for (RepositoryEntry e : cfg.repositories()) {
      out.addAll(repository(cfg, e));
    }
    return out;
  }

  private static List<Check> repository(CairnConfig cfg, RepositoryEntry e) {
    String label = cfg.repositories().size() > 1 ? "repository " + e.name() + " (" + e.location() + ")"
        : "repository " + e.location();
    return RepositoryDoctor.check(label, () -> RepoOptions.open(cfg, e, true), e.remote() != null);
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
