package dev.cairn.restoretest;

import dev.cairn.archive.ArchiveReader;
import dev.cairn.archive.ChunkAad;
import dev.cairn.archive.ChunkRef;
import dev.cairn.archive.Manifest;
import dev.cairn.conn.ConnSpec;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.pgtools.ChildProcess;
import dev.cairn.pgtools.PgTool;
import dev.cairn.storage.Scratch;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The schema of the restored database ({@code pg_dump --schema-only}) against the archive's own
 * ({@code pg_restore --schema-only} of its schema chunks), as text. Normalised first, because these differ
 * legitimately: comment lines (they name the dump's source and carry the tools' versions), blank lines,
 * and pg_dump's restrict/unrestrict meta-commands (a random key per run). The database's name
 * does not appear in either text (neither has {@code --create}). Blocking.
 */
final class SchemaCheck {
  private static final int SHOWN = 3;
  private final ChildProcess child = new ChildProcess();

  void cancel() {
    child.cancel();
  }

  /**
   * Problems (empty when equal); {@code skipped} when the backup's pg_dump is of another major version than
   * the one that dumps the restored database (their texts differ without the schema differing).
   */
  record Outcome(List<String> problems, String skipped) {}

  Outcome run(ArchiveReader reader, Manifest m, ConnSpec scratch, int serverMajor, Path pgBin, Scratch dir)
      throws IOException, InterruptedException {
    PgTool dump = PgTool.find("pg_dump", serverMajor, pgBin);
    int backupMajor = major(m.pgDumpVersion());
    if (backupMajor != dump.major()) {
      return new Outcome(List.of(), "the backup's pg_dump is " + m.pgDumpVersion() + ", this one " + dump.version());
    }
    Path restoreTool = dump.sibling("pg_restore").orElseThrow(() -> new CairnException(ErrorCode.PG_DUMP_VERSION,
        "no pg_restore beside " + dump.path()));
    try (OutputStream out = dir.write("archive-schema.dump")) {
      List<ChunkRef> refs = m.schemaChunks();
      for (int i = 0; i < refs.size(); i++) { // bound to their place, as an encrypted archive's chunks must be read
        out.write(reader.readChunk(refs.get(i), ChunkAad.of(ChunkAad.SCHEMA, refs, i)));
      }
    }
    run(List.of(restoreTool.toString(), "--schema-only", "--file=" + dir.file("archive-schema.sql"),
        dir.file("archive-schema.dump").toString()), Map.of(), "pg_restore --schema-only of the backup's schema");
    run(List.of(dump.path().toString(), "--schema-only", "--no-password", "--file=" + dir.file("restored-schema.sql"),
        "--dbname=" + scratch.toLibpqConninfo()), scratch.childEnv(),
        "pg_dump --schema-only of restored database " + scratch.database());
    return new Outcome(compare(normalise(read(dir, "archive-schema.sql")), normalise(read(dir, "restored-schema.sql"))),
        null);
  }

  private void run(List<String> cmd, Map<String, String> env, String what) throws IOException, InterruptedException {
    ChildProcess.Result r = child.run(cmd, env);
    if (r.exitCode() != 0) {
      throw new CairnException(child.cancelled() ? ErrorCode.CANCELLED : ErrorCode.PG_DUMP_FAILED, what
          + " failed (exit code " + r.exitCode() + "): " + r.errorReport(6));
    }
  }

  private static String read(Scratch dir, String name) throws IOException {
    try (InputStream in = dir.read(name)) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toString(StandardCharsets.UTF_8);
    }
  }

  static List<String> normalise(String sql) {
    List<String> out = new ArrayList<>();
    for (String line : sql.split("\n", -1)) {
      if (line.isBlank() || line.startsWith("--") || line.startsWith("\\restrict") || line.startsWith("\\unrestrict")) {
        continue;
      }
      out.add(line);
    }
    return out;
  }

  /** The first few differing lines, by line of the normalised texts, and how many lines differ in all. */
  static List<String> compare(List<String> archive, List<String> restored) {
    List<String> out = new ArrayList<>();
    int differ = 0;
    int n = Math.max(archive.size(), restored.size());
    for (int i = 0; i < n; i++) {
      String a = i < archive.size() ? archive.get(i) : "(end)";
      String r = i < restored.size() ? restored.get(i) : "(end)";
      if (!a.equals(r)) {
        differ++;
        if (out.size() < SHOWN) {
          out.add("schema differs at statement line " + (i + 1) + ": backup \"" + clip(a) + "\", restored \"" + clip(r)
              + "\"");
        }
      }
    }
    if (differ > SHOWN) {
      out.add("schema: " + differ + " lines differ in all");
    }
    return out;
  }

  private static String clip(String s) {
    return s.length() > 160 ? s.substring(0, 160) + " ..." : s;
  }

  private static int major(String version) {
    try {
      return Integer.parseInt(version.split("\\.")[0].trim());
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
