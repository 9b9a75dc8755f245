package dev.cairn.storage.s3;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/** Content-MD5 and x-amz-checksum-crc32c of request bodies, read in place (a 32 MiB part is never copied). */
final class Checksums {
  private Checksums() {}

  static byte[] md5(Buffer b) {
    MessageDigest md = newMd5();
    md.update(view(b));
    return md.digest();
  }

  static String md5Base64(Buffer b) {
    return Base64.getEncoder().encodeToString(md5(b));
  }

  static String crc32cBase64(Buffer b) {
    CRC32C c = new CRC32C();
    c.update(view(b));
    return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) c.getValue()).array());
  }

  /** The ETag S3 gives a multipart object: the MD5 of the parts' MD5s, "-", the number of parts. */
  static String multipartEtag(java.util.List<byte[]> partMd5s) {
    MessageDigest md = newMd5();
    partMd5s.forEach(md::update);
    return HexFormat.of().formatHex(md.digest()) + "-" + partMd5s.size();
  }

  static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no MD5", e);
    }
  }

  private static ByteBuffer view(Buffer b) {
    return ((BufferInternal) b).getByteBuf().nioBuffer();
  }
}
