package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.FILE_HEADER_SIZE;

import dev.cairn.error.CairnException;
import java.util.ArrayList;
import java.util.List;

/**
 * Storage-level integrity of an archive, without a key: the structure (header, trailer, key block,
 * manifest chunk, checked by {@link ArchiveReader#open}) and every chunk's header and CRC32C, walked
 * from the file header to the manifest. What a copy job can check on an encrypted archive it cannot
 * read; it says nothing about the rows (a key and the row digests do). Blocking: call from a worker pool.
 */
public final class Integrity {
  private Integrity() {}

  /** Chunks walked, their stored bytes, and what was wrong (empty: intact). */
  public record Report(int chunks, long storedBytes, List<String> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  public static Report check(ArchiveReader reader) {
    List<String> problems = new ArrayList<>();
    long end = reader.manifestRef().offset();
    long offset = FILE_HEADER_SIZE;
    int chunks = 0;
    long bytes = 0;
    while (offset < end) {
      ChunkRef ref;
      try {
        ref = reader.chunkAt(offset);
      } catch (CairnException e) {
        problems.add(e.getMessage()); // the walk cannot go on without a header's length
        return new Report(chunks, bytes, List.copyOf(problems));
      }
      try {
        reader.checkChunk(ref);
      } catch (CairnException e) {
        problems.add(e.getMessage());
      }
      chunks++;
      bytes += ref.storedLength();
      offset = ref.end();
    }
    return new Report(chunks, bytes, List.copyOf(problems));
  }
}
