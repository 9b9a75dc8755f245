package dev.cairn.restore;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkAad;
import dev.cairn.storage.Scratch;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.conn.PgConnect;
import dev.cairn.conn.PgErrors;
import dev.cairn.engine.Pools;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Tuple;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Everything a restore checks before it changes anything, shared by the restore and its dry run: the
 * target (present, empty, or the tables of a data-only restore), the pg_restore to use, the roles the
 * backup's objects are owned by or granted to, the extensions it creates, and, with --globals, the roles
 * and tablespaces it would create (a new tablespace's directory must exist on the target's host).
 * Reads the archive and the target, writes only to its own temporary directory.
 */
final class Preflight {

  /** One check: {@code failure} null when it passed; {@code detail} says what was found. */
  record Check(String what, String detail, CairnException failure) {
    boolean ok() {
      return failure == null;
    }
  }

  /**
   * pg_restore's list file of a partial restore, what it left out on purpose, and the sequences owned by
   * tables left out that it brings along (schema.name) because a restored table uses them.
   */
  record Toc(Path listFile, List<String> notes, java.util.Set<String> sequences) {}

  /** {@code globals}: null without --globals. */
  record Plan(PgTool tool, Path schema, Toc toc, TargetFacts facts, SchemaRefs refs, GlobalsScript globals,
      List<Check> checks) {
    /** The first failed check's error, or null when every check passed. */
    CairnException failure() {
      return checks.stream().filter(c -> !c.ok()).map(Check::failure).findFirst().orElse(null);
    }
  }

  private final Vertx vertx;
  private final Pools pools;
  private final ConnSpec target;
  private final Restorer.Options opts;
  private final ChildProcess pgRestore;

  Preflight(Vertx vertx, Pools pools, ConnSpec target, Restorer.Options opts, ChildProcess pgRestore) {
    this.vertx = vertx;
    this.pools = pools;
    this.target = target;
    this.opts = opts;
    this.pgRestore = pgRestore;
  }

  /** Extracts the schema into {@code scratch} and runs every check; never changes the target. */
  Future<Plan> plan(ArchiveReader reader, Manifest m, List<Manifest.Table> selected, Scratch scratch) {
    boolean dataOnly = m.content() == Manifest.Content.DATA_ONLY;
    if (opts.globals() && m.globals() == null) {
      return Future.failedFuture(new CairnException(ErrorCode.USAGE, "backup " + m.id() + " holds no roles or"
          + " tablespaces (it was taken by cairn " + m.toolVersion() + ", before backups captured them)",
          "restore without --globals: create the roles first, or add --no-owner --no-acl"));
    }
    if (dataOnly && opts.create()) {
      return Future.failedFuture(new CairnException(ErrorCode.USAGE, "backup " + m.id() + " is data-only: it"
          + " restores into the existing tables of database " + target.database() + ", so --create and --clean"
          + " do not apply", "restore the schema first (from a schema-only or full backup), then this backup"
          + " without --create or --clean"));
    }
    Path schema = scratch.file("schema.dump");
    return pools.io().executeBlocking(() -> {
      write(reader, m.schemaChunks(), scratch, "schema.dump");
      return opts.globals() ? new String(read(reader, m.globals().chunks(), ChunkAad.GLOBALS), StandardCharsets.UTF_8)
          : null;
    }, false).compose(globalsSql -> TargetFacts.read(vertx, target, dataOnly ? selected : List.of())
        .compose(facts -> pools.io().executeBlocking(() -> {
          int dumpMajor = Integer.parseInt(m.pgDumpVersion().split("\\.")[0]);
          PgTool tool = PgTool.find("pg_restore", Math.max(facts.serverMajor(), dumpMajor), opts.pgBin());
          Toc toc = opts.tables().isEmpty() ? new Toc(null, List.of(), Set.of()) : toc(tool, scratch, m, selected);
          SchemaRefs refs = refs(tool, schema, toc);
          GlobalsScript globals = globalsSql == null ? null
              : GlobalsScript.filter(globalsSql, facts.roles(), facts.tablespaces());
          return new Plan(tool, schema, toc, facts, refs, globals, List.of());
        }, false))
        .compose(p -> missingDirectories(p.globals()).map(dirs -> new Plan(p.tool(), p.schema(), p.toc(), p.facts(),
            p.refs(), p.globals(), checks(m, p, dirs)))));
  }

  private List<Check> checks(Manifest m, Plan p, List<String> missingDirs) {
    List<Check> out = new ArrayList<>();
    TargetFacts f = p.facts();
    String db = target.database();
    out.add(new Check("pg_restore", p.tool().path() + " " + p.tool().version() + " (server " + f.serverVersion()
        + ", backup taken with pg_dump " + m.pgDumpVersion() + ")", null));
    out.add(targetCheck(m, f, db));
    Set<String> roles = new TreeSet<>(f.roles());
    if (p.globals() != null) {
      roles.addAll(p.globals().newRoles());
      out.add(new Check("roles and tablespaces", describe(p.globals()), missingDirs.isEmpty() ? null
          : new CairnException(ErrorCode.RESTORE_PRECONDITION, "tablespace directory " + String.join(", ",
              missingDirs) + " of backup " + m.id() + " does not exist on the host of " + target.describe(),
              "create " + (missingDirs.size() == 1 ? "it" : "them") + " there, owned by the postgres OS user, then"
              + " restore again")));
    }
    List<String> missingRoles = p.refs().roles().stream().filter(r -> !roles.contains(r)).toList();
    out.add(new Check("roles", missingRoles.isEmpty() ? "the " + p.refs().roles().size() + " roles that own or are"
        + " granted objects exist" + (p.globals() == null ? "" : " or are created first")
        : "missing: " + String.join(", ", missingRoles), missingRoles.isEmpty() ? null
        : new CairnException(ErrorCode.RESTORE_PRECONDITION, "backup " + m.id() + " has objects owned by or granted"
            + " to roles that do not exist on " + target.describe() + ": " + String.join(", ", missingRoles),
            p.globals() == null ? "restore with --globals to create them from the backup, or with --no-owner"
                + " --no-acl to restore without ownership and privileges" : "the backup's roles do not include"
                + " them; create them, or restore with --no-owner --no-acl")));
    Set<String> tablespaces = new TreeSet<>(f.tablespaces());
    if (p.globals() != null) {
      tablespaces.addAll(p.globals().newTablespaces().keySet());
    }
    List<String> missingSpc = p.refs().tablespaces().stream().filter(t -> !tablespaces.contains(t)).toList();
    if (!p.refs().tablespaces().isEmpty()) {
      out.add(new Check("tablespaces", missingSpc.isEmpty() ? "exist: " + String.join(", ", p.refs().tablespaces())
          : "missing: " + String.join(", ", missingSpc), missingSpc.isEmpty() ? null : new CairnException(
              ErrorCode.RESTORE_PRECONDITION, "backup " + m.id() + " has objects in tablespaces that do not exist on "
                  + target.describe() + ": " + String.join(", ", missingSpc), p.globals() == null
                  ? "restore with --globals to create them from the backup (their directories must exist), or"
                      + " create them" : "the backup's globals do not include them; create them")));
    }
    List<String> missingExt = p.refs().extensions().stream().filter(e -> !f.availableExtensions().contains(e))
        .toList();
    out.add(new Check("extensions", missingExt.isEmpty() ? (p.refs().extensions().isEmpty() ? "none needed"
        : "available: " + String.join(", ", p.refs().extensions())) : "not available: " + String.join(", ",
        missingExt), missingExt.isEmpty() ? null : new CairnException(ErrorCode.RESTORE_PRECONDITION, "extension "
        + String.join(", ", missingExt) + " of backup " + m.id() + " is not available on " + target.describe(),
        "install the extension's package on the target server (see pg_available_extensions)")));
    return List.copyOf(out);
  }

  private Check targetCheck(Manifest m, TargetFacts f, String db) {
    if (m.content() == Manifest.Content.DATA_ONLY) {
      if (!f.databaseExists()) {
        return new Check("target", "database " + db + " does not exist", new CairnException(
            ErrorCode.RESTORE_PRECONDITION, "database " + db + " does not exist; backup " + m.id() + " is data-only"
                + " and restores into existing tables", "restore the schema first, then this backup"));
      }
      // an extension's configuration table holds the extension's own rows; the backup's are added to them
      Set<String> extConfig = m.tables().stream().filter(t -> t.extension() != null)
          .map(Manifest.Table::qualifiedName).collect(Collectors.toSet());
      List<String> holding = f.nonEmptyTables().stream().filter(t -> !extConfig.contains(t)).toList();
      if (!f.missingTables().isEmpty() || !holding.isEmpty()) {
        List<String> why = new ArrayList<>();
        if (!f.missingTables().isEmpty()) {
          why.add("missing tables " + String.join(", ", f.missingTables()));
        }
        if (!holding.isEmpty()) {
          why.add("tables holding rows " + String.join(", ", holding));
        }
        return new Check("target", String.join("; ", why), new CairnException(ErrorCode.RESTORE_PRECONDITION,
            "database " + db + " cannot take the data of backup " + m.id() + ": " + String.join("; ", why),
            "a data-only restore loads into existing, empty tables: create the missing ones (restore the schema),"
                + " empty the others"));
      }
      if (!f.superuser()) {
        return new Check("target", "not a superuser", new CairnException(ErrorCode.PERMISSION_DENIED, "a data-only"
            + " restore into " + target.describe() + " loads with session_replication_role = replica (no triggers or"
            + " foreign key checks while the tables fill), which needs a superuser",
            "restore as a superuser, or restore a full backup into an empty database"));
      }
      return new Check("target", "database " + db + " has the backup's tables, all empty", null);
    }
    if (!f.databaseExists()) {
      return opts.create() ? new Check("target", "database " + db + " does not exist: it will be created", null)
          : new Check("target", "database " + db + " does not exist", new CairnException(
              ErrorCode.RESTORE_PRECONDITION, "database " + db + " does not exist on " + target.describe(),
              "add --create to create it"));
    }
    if (opts.clean()) {
      return new Check("target", "database " + db + " exists (" + (f.empty() ? "empty" : String.join(", ",
          f.contents())) + "): it will be dropped and created anew", null);
    }
    if (opts.create()) {
      return new Check("target", "database " + db + " exists", new CairnException(ErrorCode.RESTORE_TARGET_NOT_EMPTY,
          "database " + db + " already exists", "restore into it without --create, or add --clean to drop it first"));
    }
    if (!f.empty()) {
      return new Check("target", "database " + db + " is not empty (" + String.join(", ", f.contents()) + ")",
          new CairnException(ErrorCode.RESTORE_TARGET_NOT_EMPTY, "database " + db + " is not empty ("
              + String.join(", ", f.contents()) + ")",
              "restore into a new database (--create), or add --clean to drop and recreate this one"));
    }
    return new Check("target", "database " + db + " exists and is empty", null);
  }

  private static String describe(GlobalsScript g) {
    return (g.newRoles().isEmpty() ? "no role to create" : "creates roles " + String.join(", ", g.newRoles()))
        + (g.newTablespaces().isEmpty() ? "" : "; creates tablespaces "
            + String.join(", ", g.newTablespaces().keySet()))
        + "; " + g.skipped() + " statements about roles or tablespaces that exist left out";
  }

  /** Locations of the tablespaces to create that are not directories on the server's host. */
  private Future<List<String>> missingDirectories(GlobalsScript g) {
    if (g == null || g.newTablespaces().isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    List<String> missing = new ArrayList<>();
    return PgConnect.connect(vertx, target.withDatabase("postgres"))
        .compose(c -> {
          Future<Void> f = Future.succeededFuture();
          for (Map.Entry<String, String> e : g.newTablespaces().entrySet()) {
            f = f.compose(v -> c.preparedQuery("SELECT (pg_stat_file($1, true)).isdir AS d")
                .execute(Tuple.of(e.getValue()))
                .map(rs -> {
                  if (!Boolean.TRUE.equals(rs.iterator().next().getBoolean("d"))) {
                    missing.add(e.getValue() + " (tablespace " + e.getKey() + ")");
                  }
                  return null;
                }));
          }
          return f.eventually(() -> c.close());
        })
        .recover(e -> Future.failedFuture(PgErrors.from(e, "cannot check the tablespace directories on "
            + target.describe())))
        .map(v -> List.copyOf(missing));
  }

  /** Writes the pg_restore -L list of a partial restore next to the schema file. Blocking. */
  private Toc toc(PgTool tool, Scratch scratch, Manifest m, List<Manifest.Table> selected) throws Exception {
    Path schema = scratch.file("schema.dump");
    ChildProcess.Result r = pgRestore.runKeepingAll(List.of(tool.path().toString(), "--list", "--verbose",
        schema.toString()), Map.of());
    if (r.exitCode() != 0) {
      throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "pg_restore --list failed (exit code " + r.exitCode()
          + "): " + r.errorReport(6));
    }
    TocFilter.Outcome out = TocFilter.filter(r.output(), m, selected);
    scratch.write("restore.list", String.join("\n", out.keep()).concat("\n").getBytes(StandardCharsets.UTF_8));
    return new Toc(scratch.file("restore.list"), out.notes(), out.sequences());
  }

  /** The roles and extensions of what would be restored, from the SQL pg_restore prints for it. Blocking. */
  private SchemaRefs refs(PgTool tool, Path schema, Toc toc) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(tool.path().toString(), "--schema-only", "--file=-"));
    if (opts.create() || opts.clean()) {
      cmd.add("--create"); // the database's owner and grantees too: the restore gives it its properties
    }
    if (opts.noOwner()) {
      cmd.add("--no-owner");
    }
    if (opts.noAcl()) {
      cmd.add("--no-acl");
    }
    if (toc.listFile() != null) {
      cmd.add("--use-list=" + toc.listFile());
    }
    cmd.add(schema.toString());
    ChildProcess.Result r = pgRestore.runKeepingAll(cmd, Map.of());
    if (r.exitCode() != 0) {
      throw new CairnException(ErrorCode.PG_RESTORE_FAILED, "pg_restore --schema-only --file=- failed (exit code "
          + r.exitCode() + "): " + r.errorReport(6));
    }
    return SchemaRefs.parse(r.output());
  }

  private static void write(ArchiveReader reader, List<ChunkRef> refs, Scratch scratch, String name)
      throws java.io.IOException {
    try (OutputStream out = scratch.write(name)) {
      for (int i = 0; i < refs.size(); i++) {
        out.write(reader.readChunk(refs.get(i), ChunkAad.of(ChunkAad.SCHEMA, refs, i)));
      }
    }
  }

  private static byte[] read(ArchiveReader reader, List<ChunkRef> refs, String stream) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < refs.size(); i++) {
      out.writeBytes(reader.readChunk(refs.get(i), ChunkAad.of(stream, refs, i)));
    }
    return out.toByteArray();
  }
}
