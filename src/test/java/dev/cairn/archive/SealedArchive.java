package dev.cairn.archive;

import static dev.cairn.archive.ArchiveFormat.KIND_DATA;
import static dev.cairn.archive.ArchiveFormat.KIND_SCHEMA;

import dev.cairn.crypt.Keys;
import dev.cairn.crypt.X25519;
import dev.cairn.error.CairnException;
import dev.cairn.error.ErrorCode;
import dev.cairn.testkit.TestArchives;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A small encrypted archive (a passphrase slot and a recipient slot) with two table streams (one of two
 * chunks), a schema stream and a manifest, plus the oracle for damaged copies: opened with the
 * passphrase, either it is rejected (ARCHIVE_CORRUPT, or ARCHIVE_KEY when the damage hit the slot the
 * key opens) or every chunk reads back exactly.
 */
final class SealedArchive {
  static final byte[] PASSPHRASE = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
  static final X25519.Identity IDENTITY = X25519.generate();
  static final String SECRET_ROW = "7\tkestrel-unique-plaintext\t2026-01-01\n";

  final byte[] bytes;
  final List<ChunkRef> refs = new ArrayList<>();
  final List<byte[]> raws = new ArrayList<>();
  final List<ChunkAad> aads = new ArrayList<>();
  final byte[] manifest;
  final ChunkRef manifestRef;

  static Keys writeKeys() {
    return Keys.of(List.of(new Keys.PassphraseSlot("ops", PASSPHRASE),
        new Keys.RecipientSlot("vault", IDENTITY.publicKey())), List.of(), List.of());
  }

  /** One instance: its scrypt memo makes every open after the first cheap. */
  private static final Keys PASSPHRASE_KEYS = Keys.of(List.of(), List.of(PASSPHRASE), List.of());

  static Keys passphrase() {
    return PASSPHRASE_KEYS;
  }

  static Keys identity() {
    return Keys.of(List.of(), List.of(), List.of(IDENTITY));
  }

  SealedArchive(Path dir, String name) {
    Path file = dir.resolve(name);
    try {
      Files.deleteIfExists(file);
      try (ArchiveWriter w = TestArchives.create(file, writeKeys())) {
        String t1 = ChunkAad.dataStream(16384, null);
        String t2 = ChunkAad.dataStream(16390, 0L);
        add(w, KIND_DATA, TestData.copyText(600, 1), new ChunkAad(t1, 0, false));
        add(w, KIND_DATA, SECRET_ROW.repeat(3).getBytes(StandardCharsets.UTF_8), new ChunkAad(t1, 1, true));
        add(w, KIND_DATA, TestData.random(40, 2), new ChunkAad(t2, 0, true));
        add(w, KIND_SCHEMA, "CREATE TABLE secret_table_name (id int);\n".getBytes(StandardCharsets.UTF_8),
            new ChunkAad(ChunkAad.SCHEMA, 0, true));
        manifest = ("{\"tables\": [\"secret_table_name\"], \"padding\": \"" + "abc".repeat(100) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
        manifestRef = w.finish(manifest);
      }
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void add(ArchiveWriter w, int kind, byte[] raw, ChunkAad aad) {
    refs.add(w.writeChunk(kind, raw, 0, raw.length, aad));
    raws.add(raw);
    aads.add(aad);
  }

  int chunkContaining(long pos) {
    for (int i = 0; i < refs.size(); i++) {
      if (pos >= refs.get(i).offset() && pos < refs.get(i).end()) {
        return i;
      }
    }
    return -1;
  }

  /** {@code b} with the CRC32C of the chunk at {@code ref} recomputed: damage only the cipher can see. */
  static void fixCrc(byte[] b, ChunkRef ref) {
    CRC32C c = new CRC32C();
    c.update(b, (int) ref.offset() + 20, ref.storedLength());
    ByteBuffer.wrap(b).putInt((int) ref.offset() + 16, (int) c.getValue());
  }

  /** Indexes of rejected chunks (-1 alone: open or the manifest was rejected); AssertionError on wrong bytes. */
  List<Integer> rejected(Path damaged) {
    List<Integer> rejected = new ArrayList<>();
    ArchiveReader r;
    try {
      r = TestArchives.open(damaged, passphrase());
      if (!Arrays.equals(manifest, r.manifestJson())) {
        throw new AssertionError("open returned a wrong manifest");
      }
    } catch (CairnException e) {
      expectRejected(e);
      return List.of(-1);
    }
    try (r) {
      for (int i = 0; i < refs.size(); i++) {
        try {
          if (!Arrays.equals(raws.get(i), r.readChunk(refs.get(i), aads.get(i)))) {
            throw new AssertionError("chunk " + i + " read back wrong bytes");
          }
        } catch (CairnException e) {
          expectRejected(e);
          rejected.add(i);
        }
      }
    }
    return rejected;
  }

  private static void expectRejected(CairnException e) {
    if (e.code() != ErrorCode.ARCHIVE_CORRUPT && e.code() != ErrorCode.ARCHIVE_KEY) {
      throw new AssertionError("expected ARCHIVE_CORRUPT or ARCHIVE_KEY, got " + e.describe(), e);
    }
  }
}
