package dev.cairn.archive;

/** Whole-buffer LZ4 frames for other packages (the PITR objects): the same frames the archive chunks use. */
public final class Lz4Frames {
  private Lz4Frames() {}

  public static byte[] encode(byte[] raw) {
    return Lz4Frame.encode(raw);
  }

  /** Decodes one whole frame that must yield exactly {@code rawLength} bytes; ARCHIVE_CORRUPT names {@code context}. */
  public static byte[] decode(byte[] frame, int rawLength, String context) {
    return Lz4Frame.decode(frame, rawLength, context);
  }
}
