package dev.cairn.pgtools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which client program is chosen: the newest new enough, never Debian's wrapper over the real ones. */
class PgToolTest {
  @TempDir Path dir;

  private Path program(Path at, String version) throws Exception {
    Files.createDirectories(at.getParent());
    Files.writeString(at, "#!/bin/sh\necho 'pg_dump (PostgreSQL) " + version + "'\n");
    Files.setPosixFilePermissions(at, PosixFilePermissions.fromString("rwxr-xr-x"));
    return at;
  }

  @Test
  void debiansWrapperOnThePathIsPassedOverForTheProgramItWouldRun() throws Exception {
    Path base = dir.resolve("lib/postgresql");
    Path real = program(base.resolve("15/bin/pg_dump"), "15.18");
    Path wrapper = program(dir.resolve("share/pg_wrapper"), "15.18");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("pg_dump"), wrapper);
    PgTool t = PgTool.find("pg_dump", 15, null, bin.toString(), base);
    assertEquals(real, t.path());
    assertEquals("15.18", t.version());
  }

  @Test
  void anotherProgramOnThePathIsStillACandidateAndTheNewestMajorWins() throws Exception {
    Path base = dir.resolve("lib/postgresql");
    program(base.resolve("15/bin/pg_dump"), "15.18");
    Path local = program(dir.resolve("local/bin/pg_dump"), "17.2");
    assertEquals(local, PgTool.find("pg_dump", 14, null, local.getParent().toString(), base).path());
  }

  @Test
  void anExplicitBinDirectoryIsUsedEvenWhenItHoldsTheWrapper() throws Exception {
    Path wrapper = program(dir.resolve("share/pg_wrapper"), "16.4");
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("pg_dump"), wrapper);
    assertEquals(bin.resolve("pg_dump"), PgTool.find("pg_dump", 16, bin, null, dir.resolve("none")).path());
  }
}
