package dev.cairn.worker.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks a downloaded file against the hash the hub published for it: LFS files carry their sha256
 * ({@code X-Linked-Etag}), small files their git blob sha1 ({@code ETag}).
 */
final class ContentHash {

  private ContentHash() {}

  /** The bare lowercase hash of an ETag value ({@code W/"abc"} → {@code abc}). */
  static String normalize(String etag) {
    if (etag == null) {
      return "";
    }
    String s = etag.strip();
    if (s.startsWith("W/")) {
      s = s.substring(2);
    }
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      s = s.substring(1, s.length() - 1);
    }
    return s.toLowerCase(Locale.ROOT);
  }

  /** True when the ETag is a hash this class can verify. */
  static boolean isVerifiable(String etag) {
    String h = normalize(etag);
    return (h.length() == 64 || h.length() == 40) && h.chars().allMatch(ContentHash::isHex);
  }

  /** A description of the mismatch, or empty when the file matches (or the ETag is no hash). */
  static Optional<String> mismatch(Path file, String etag) throws IOException {
    if (!isVerifiable(etag)) {
      return Optional.empty();
    }
    String expected = normalize(etag);
    boolean sha256 = expected.length() == 64;
    String actual = sha256 ? digest(file, "SHA-256", null) : digest(file, "SHA-1", gitHeader(file));
    if (actual.equals(expected)) {
      return Optional.empty();
    }
    return Optional.of(
        (sha256 ? "sha256" : "git sha1") + " mismatch: expected " + expected + ", got " + actual);
  }

  // Git hashes a blob as sha1("blob <size>\0" + content).
  private static byte[] gitHeader(Path file) throws IOException {
    return ("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  private static String digest(Path file, String algorithm, byte[] prefix) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JDK", e);
    }
    if (prefix != null) {
      md.update(prefix);
    }
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static boolean isHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }
}
