package dev.cairn.storage;

import java.nio.file.Path;
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
}
