package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.testkit.Mounts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local driver against a real file system: modes, full disks, keys (the contract every driver keeps,
 * atomic publish and ranged reads among it, is {@link LocalStorageContractTest}).
 */
class LocalStorageTest {
  @TempDir Path dir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void smallObjectsAreCreatedOnlyIfAbsentAndReplacedWhole() {
    LocalStorage s = LocalStorage.openForWrite(dir);
    assertTrue(s.putIfAbsent("locks/a.lease", utf8("one")));
    assertFalse(s.putIfAbsent("locks/a.lease", utf8("two")));
    assertArrayEquals(utf8("one"), s.get("locks/a.lease").orElseThrow());
    s.put("locks/a.lease", utf8("three"));
    assertArrayEquals(utf8("three"), s.get("locks/a.lease").orElseThrow());
    assertEquals(List.of("locks/a.lease"), s.list("locks/").stream().map(Storage.ObjectInfo::key).toList());
    assertTrue(s.delete("locks/a.lease"));
    assertFalse(s.delete("locks/a.lease"));
  }

  @Test
  void renameIfAbsentNeverReplaces() {
    LocalStorage s = LocalStorage.openForWrite(dir);
    s.put("incoming/u.cairn", utf8("upload"));
    s.put("b.cairn", utf8("precious"));
    assertFalse(s.renameIfAbsent("incoming/u.cairn", "b.cairn"));
    assertArrayEquals(utf8("precious"), s.get("b.cairn").orElseThrow());
    assertTrue(s.renameIfAbsent("incoming/u.cairn", "c.cairn"));
    assertTrue(s.stat("incoming/u.cairn").isEmpty());
    assertArrayEquals(utf8("upload"), s.get("c.cairn").orElseThrow());
  }

  @Test
  void everyFileIsOwnerOnlyAndEveryDirectoryToo() throws Exception {
    Path root = dir.resolve("repo");
    LocalStorage s = LocalStorage.openForWrite(root);
    s.put("catalog/a.json", utf8("{}"));
    s.append("jobs.history", utf8("line\n"));
    try (WriteSink w = s.create("a.cairn")) {
      w.commit();
    }
    for (String f : List.of("catalog/a.json", "jobs.history", "a.cairn")) {
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(f))), f);
    }
    for (Path d : List.of(root, root.resolve("catalog"))) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)), d.toString());
    }
  }

  @Test
  void keysThatCouldLeaveTheRepositoryAreRefused() {
    LocalStorage s = LocalStorage.openForWrite(dir);
    for (String bad : List.of("../x", "/etc/passwd", "a/../../b", ".hidden", "a//b", "")) {
      CairnException e = assertThrows(CairnException.class, () -> s.put(bad, new byte[0]), bad);
      assertTrue(e.getMessage().contains("invalid storage key"), e.getMessage());
    }
  }

  @Test
  void anAppendOnAFullDiskFailsWholeAndLeavesNoHalfRecord() throws Exception {
    try (Mounts m = Mounts.tmpfs("size=64k")) {
      LocalStorage s = LocalStorage.openForWrite(m.dir());
      s.append("jobs.history", utf8("first\n"));
      // fill the file system, then append a record larger than what is left
      try (WriteSink filler = s.create("filler")) {
        CairnException full = assertThrows(CairnException.class, () -> {
          for (int i = 0; i < 1000; i++) {
            filler.write(ByteBuffer.allocate(4096));
          }
        });
        assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
        byte[] big = new byte[16 << 10];
        java.util.Arrays.fill(big, (byte) 'x');
        CairnException e = assertThrows(CairnException.class, () -> s.append("jobs.history", big));
        assertEquals(ErrorCode.REPO_WRITE, e.code());
        assertArrayEquals(utf8("first\n"), s.get("jobs.history").orElseThrow(), "no half-written record");
      }
      s.append("jobs.history", utf8("second\n"));
      assertArrayEquals(utf8("first\nsecond\n"), s.get("jobs.history").orElseThrow(), "writable again once space is back");
    }
  }
}
