package dev.cairn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.error.CairnException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage contract on the local driver. */
class LocalStorageContractTest extends StorageContract {
  @TempDir Path dir;

  @Override
  protected Storage storage() {
    return LocalStorage.openForWrite(dir);
  }

  @Override
  protected int bigSize() {
    return 3 << 20;
  }

  @Test
  void evenASmallUnfinishedWriteIsAPartialAndAPastTheEndReadNamesTheEnd() {
    LocalStorage s = LocalStorage.openForWrite(dir);
    try (WriteSink w = s.create("a.cairn")) {
      w.write(ByteBuffer.wrap(utf8("hello")));
      assertEquals(List.of("a.cairn"), s.partials());
    }
    s.put("x", utf8("0123456789"));
    try (ReadSource in = s.open("x").orElseThrow()) {
      CairnException e = org.junit.jupiter.api.Assertions.assertThrows(CairnException.class,
          () -> in.read(8, ByteBuffer.allocate(4)));
      assertTrue(e.getMessage().contains("byte offset 10"), e.getMessage());
    }
  }
}
