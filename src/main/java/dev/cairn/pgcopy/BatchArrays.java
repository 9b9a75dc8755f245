package dev.cairn.pgcopy;

/**
 * Where a {@code COPY ... TO STDOUT} stream's batches of whole rows are filled: arrays of {@link #length()}
 * bytes. The consumer of a batch owns its array from then on and may give it back to its source, so a
 * long copy reuses a few arrays instead of allocating its whole size again (a row longer than an array
 * travels alone, in an array of its own).
 */
public interface BatchArrays {
  int length();

  /** An array of {@link #length()} bytes; called on the copy's worker thread. */
  byte[] take();

  /** New arrays every time. */
  static BatchArrays fresh(int length) {
    return new BatchArrays() {
      @Override
      public int length() {
        return length;
      }

      @Override
      public byte[] take() {
        return new byte[length];
      }
    };
  }
}
