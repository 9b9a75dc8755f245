package dev.cairn.archive;

import java.util.List;

/**
 * Where a chunk belongs, bound into an encrypted chunk's authentication: the stream it is part of
 * (a table part, the schema, the globals), its index in that stream, and whether it is the stream's
 * last chunk. A reader derives it from where the manifest lists the chunk, so a chunk moved to
 * another place, table or backup, or a stream cut short, fails authentication.
 */
public record ChunkAad(String stream, int index, boolean last) {
  public static final String SCHEMA = "schema";
  public static final String GLOBALS = "globals";
  static final ChunkAad MANIFEST = new ChunkAad("manifest", 0, true);
  /** For unencrypted archives, where nothing is bound, and tests. */
  public static final ChunkAad NONE = new ChunkAad("", 0, false);

  /** The stream of a table part: the table's oid and the part's first page ("whole" for the whole table). */
  public static String dataStream(long tableOid, Long fromPage) {
    return "data " + tableOid + " " + (fromPage == null ? "whole" : fromPage.toString());
  }

  /** The binding of chunk {@code i} of a stream whose chunks the manifest lists as {@code refs}. */
  public static ChunkAad of(String stream, List<ChunkRef> refs, int i) {
    return new ChunkAad(stream, i, i == refs.size() - 1);
  }
}
