package dev.cairn.pitr;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.PgTool;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PostgreSQL's server-side programs (postgres, pg_ctl, pg_waldump) of exactly one major version: they read a
 * data directory or WAL only of their own version. Configured {@code pg_bin} first, then Debian's
 * /usr/lib/postgresql/MAJOR/bin, then PATH.
 */
final class ServerBin {
  private ServerBin() {}

  static Path find(String program, int major, Path pgBin) {
    if (pgBin != null && Files.isExecutable(pgBin.resolve(program))) {
      return pgBin.resolve(program);
    }
    Path debian = Path.of("/usr/lib/postgresql", String.valueOf(major), "bin", program);
    if (Files.isExecutable(debian)) {
      return debian;
    }
    PgTool t = PgTool.find(program, major, pgBin);
    if (t.major() != major) {
      throw new CairnException(ErrorCode.PG_DUMP_VERSION, "no " + program + " of PostgreSQL " + major + " found (found "
          + t.path() + " " + t.version() + ")", "install the PostgreSQL " + major + " server (Debian: postgresql-" + major
          + ") or point pg_bin at its bin directory");
    }
    return t.path();
  }
}
