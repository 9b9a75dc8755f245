package dev.cairn.dump;

import dev.cairn.archive.ArchiveFormat;
import dev.cairn.archive.ArchiveWriter;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.LocalStorage;
import dev.cairn.storage.Scratch;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Roles (with memberships and per-role settings) and tablespaces, which live in the cluster and not in
 * the database: {@code pg_dumpall --globals-only}, stored as schema-kind chunks that the manifest lists
 * under {@code globals}. Blocking: call from a worker.
 */
final class GlobalsDump {
  private GlobalsDump() {}

  /**
   * {@code passwords} false (the backup role cannot read pg_authid): --no-role-passwords, which reads
   * pg_roles instead, so a role that is not a superuser can take it too.
   */
  static Manifest.Globals run(PgTool pgDumpall, ConnSpec spec, boolean passwords, ArchiveWriter writer,
      int chunkBytes, ChildProcess process) throws InterruptedException {
    Scratch scratch = Scratch.create("cairn-globals-");
    try {
      List<String> cmd = new ArrayList<>(List.of(pgDumpall.path().toString(), "--globals-only", "--no-password",
          "--file=" + scratch.file("globals.sql")));
      if (!passwords) {
        cmd.add("--no-role-passwords");
      }
      cmd.add("--dbname=" + spec.toLibpqConninfo());
      ChildProcess.Result r = process.run(cmd, spec.childEnv());
      if (process.cancelled()) {
        throw new CairnException(ErrorCode.CANCELLED, "pg_dumpall was stopped");
      }
      if (r.exitCode() != 0) {
        throw new CairnException(ErrorCode.PG_DUMP_FAILED, "pg_dumpall --globals-only " + pgDumpall.version()
            + " failed for " + spec.describe() + " (exit code " + r.exitCode() + "): " + r.errorReport(6));
      }
      try (InputStream in = scratch.read("globals.sql")) {
        return new Manifest.Globals(store(in, writer, chunkBytes, ChunkAad.GLOBALS), passwords, pgDumpall.version());
      }
    } catch (IOException e) {
      if (process.cancelled()) {
        throw new CairnException(ErrorCode.CANCELLED, "pg_dumpall was stopped");
      }
      throw new CairnException(ErrorCode.REPO_WRITE, "cannot store the pg_dumpall output of " + spec.describe()
          + ": " + LocalStorage.describe(e), "check free space in " + System.getProperty("java.io.tmpdir"), null, e);
    } finally {
      scratch.close();
    }
  }

  /**
   * The stream's bytes as schema-kind chunks of at most {@code chunkBytes}, in order, bound to
   * {@code stream}; encrypted, the last chunk (an empty one when the bytes end on a chunk boundary) is
   * marked last.
   */
  static List<ChunkRef> store(InputStream in, ArchiveWriter writer, int chunkBytes, String stream)
      throws IOException {
    List<ChunkRef> refs = new ArrayList<>();
    byte[] buf = new byte[chunkBytes];
    while (true) {
      int n = in.readNBytes(buf, 0, buf.length);
      boolean last = n < buf.length; // a short read: the stream has ended
      if (n > 0 || (last && writer.encrypted())) {
        refs.add(writer.writeChunk(ArchiveFormat.KIND_SCHEMA, buf, 0, n, new ChunkAad(stream, refs.size(), last)));
      }
      if (last) {
        return refs;
      }
    }
  }
}
