package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The {@link Storage} contract, the same for every driver: a subclass gives a fresh, empty storage per
 * test. What Repository, BackupCatalog, Leases and JobHistory rely on, and nothing driver-specific.
 */
public abstract class StorageContract {
  /** An empty storage of the driver under test. */
  protected abstract Storage storage() throws Exception;

  /** A size that spans several of the driver's write units (parts), to test a write that is not one piece. */
  protected abstract int bigSize();

  protected static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  protected static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void aSinkPublishesOnlyOnCommitAndNeverOverAnExistingObject() throws Exception {
    Storage s = storage();
    try (WriteSink w = s.create("a.cairn")) {
      w.write(ByteBuffer.wrap(utf8("hello ")));
      w.write(ByteBuffer.wrap(utf8("world")));
      assertEquals(11, w.position());
      assertTrue(s.stat("a.cairn").isEmpty(), "nothing is visible before commit");
      assertEquals(List.of(), s.list(""), "an unfinished write is never listed");
      w.commit();
    }
    assertEquals(11, s.stat("a.cairn").orElseThrow().size());
    assertEquals(List.of(), s.partials());
    WriteSink second = s.create("a.cairn");
    second.write(ByteBuffer.wrap(utf8("other")));
    CairnException e = assertThrows(CairnException.class, second::commit);
    assertEquals(ErrorCode.REPO_WRITE, e.code());
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertArrayEquals(utf8("hello world"), s.get("a.cairn").orElseThrow(), "the first stays as it was");
    assertEquals(List.of(), s.partials(), "the refused write is removed");
  }

  @Test
  void aWriteOfManyPartsReadsBackByteForByteAndAnAbortedOneLeavesNothing() throws Exception {
    Storage s = storage();
    byte[] data = random(bigSize(), 7);
    try (WriteSink w = s.create("big.cairn")) {
      for (int at = 0; at < data.length; at += 777_777) {
        w.write(ByteBuffer.wrap(data, at, Math.min(777_777, data.length - at)));
      }
      assertEquals(List.of("big.cairn"), s.partials(), "a write under way is an unfinished write");
      w.commit();
    }
    assertArrayEquals(data, s.get("big.cairn").orElseThrow());
    try (ReadSource in = s.open("big.cairn").orElseThrow()) {
      assertEquals(data.length, in.size());
      ByteBuffer b = ByteBuffer.allocate(1000);
      in.read(data.length - 1500L, b);
      assertArrayEquals(java.util.Arrays.copyOfRange(data, data.length - 1500, data.length - 500), b.array());
    }
    try (WriteSink w = s.create("gone.cairn")) {
      w.write(ByteBuffer.wrap(data));
      w.abort();
    }
    assertTrue(s.stat("gone.cairn").isEmpty());
    assertEquals(List.of(), s.partials(), "an aborted write leaves no unfinished write");
  }

  @Test
  void rangedReadsReturnTheBytesAskedForAndFailPastTheEnd() throws Exception {
    Storage s = storage();
    s.put("x", utf8("0123456789"));
    try (ReadSource in = s.open("x").orElseThrow()) {
      ByteBuffer b = ByteBuffer.allocate(4);
      in.read(3, b);
      assertEquals("3456", new String(b.array(), StandardCharsets.UTF_8));
      CairnException e = assertThrows(CairnException.class, () -> in.read(8, ByteBuffer.allocate(4)));
      assertEquals(ErrorCode.REPO_READ, e.code());
    }
    assertTrue(s.open("missing").isEmpty());
  }

  @Test
  void listingShowsTheObjectsDirectlyInADirectoryOnly() throws Exception {
    Storage s = storage();
    s.put("top.cairn", utf8("a"));
    s.put("catalog/one.json", utf8("bb"));
    s.put("catalog/two.json", utf8("ccc"));
    s.put("catalog/deeper/three.json", utf8("d"));
    assertEquals(List.of("top.cairn"), s.list("").stream().map(Storage.ObjectInfo::key).toList());
    assertEquals(List.of("catalog/one.json", "catalog/two.json"),
        s.list("catalog/").stream().map(Storage.ObjectInfo::key).sorted().toList());
    assertEquals(3, s.stat("catalog/two.json").orElseThrow().size());
    assertEquals(List.of(), s.list("nothing/"));
  }

  @Test
  void smallObjectsAreCreatedOnlyIfAbsentReplacedWholeAndDeleted() throws Exception {
    Storage s = storage();
    assertTrue(s.putIfAbsent("locks/a.lease", utf8("mine")));
    assertFalse(s.putIfAbsent("locks/a.lease", utf8("theirs")), "a second writer never overwrites");
    assertArrayEquals(utf8("mine"), s.get("locks/a.lease").orElseThrow());
    s.put("locks/a.lease", utf8("renewed"));
    assertArrayEquals(utf8("renewed"), s.get("locks/a.lease").orElseThrow());
    assertTrue(s.delete("locks/a.lease"));
    assertFalse(s.delete("locks/a.lease"), "a second delete finds nothing");
    assertTrue(s.get("locks/a.lease").isEmpty());
  }

  @Test
  void appendCreatesThenExtendsAnObject() throws Exception {
    Storage s = storage();
    s.append("jobs.history", utf8("one\n"));
    s.append("jobs.history", utf8("two\n"));
    assertEquals("one\ntwo\n", new String(s.get("jobs.history").orElseThrow(), StandardCharsets.UTF_8));
  }

  @Test
  void renameIfAbsentMovesAnObjectOnlyOntoAFreeKey() throws Exception {
    Storage s = storage();
    byte[] data = random(bigSize(), 3);
    s.put("incoming/u1.cairn", data);
    s.put("taken.cairn", utf8("x"));
    assertFalse(s.renameIfAbsent("incoming/u1.cairn", "taken.cairn"));
    assertArrayEquals(utf8("x"), s.get("taken.cairn").orElseThrow());
    assertTrue(s.renameIfAbsent("incoming/u1.cairn", "app-20260101T000000Z.cairn"));
    assertArrayEquals(data, s.get("app-20260101T000000Z.cairn").orElseThrow());
    assertTrue(s.stat("incoming/u1.cairn").isEmpty(), "the source is gone");
  }

  @Test
  void anUnfinishedWriteIsAPartialUntilRemoved() throws Exception {
    Storage s = storage();
    WriteSink w = s.create("crashed.cairn");
    w.write(ByteBuffer.wrap(random(bigSize(), 5)));
    assertEquals(List.of("crashed.cairn"), s.partials());
    assertTrue(s.removePartial("crashed.cairn"));
    assertFalse(s.removePartial("crashed.cairn"));
    assertEquals(List.of(), s.partials());
    assertTrue(s.stat("crashed.cairn").isEmpty());
  }
}
