package dev.cairn.worker.structured.regex;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits code point ranges into UTF-8 byte-range sequences: each sequence is a list of inclusive
 * byte ranges, one per byte, whose product is exactly a sub-range of code points. Surrogates (not
 * encodable in UTF-8) are left out.
 */
final class Utf8Sequences {

  private static final int[] LENGTH_LIMITS = {0x7F, 0x7FF, 0xFFFF, CharSet.MAX};

  private Utf8Sequences() {}

  /** Each element is {lo0, hi0, lo1, hi1, ...}: one byte range per encoded byte. */
  static List<int[]> of(CharSet set) {
    List<int[]> out = new ArrayList<>();
    for (int r = 0; r < set.rangeCount(); r++) {
      split(set.lo(r), set.hi(r), out);
    }
    return out;
  }

  private static void split(int lo, int hi, List<int[]> out) {
    if (lo > hi) {
      return;
    }
    if (lo <= 0xDFFF && hi >= 0xD800) {
      split(lo, 0xD7FF, out);
      split(0xE000, hi, out);
      return;
    }
    for (int limit : LENGTH_LIMITS) {
      if (lo <= limit && hi > limit) {
        split(lo, limit, out);
        split(limit + 1, hi, out);
        return;
      }
    }
    int n = length(lo);
    for (int i = 1; i < n; i++) {
      int m = (1 << (6 * i)) - 1;
      if ((lo & ~m) != (hi & ~m)) {
        if ((lo & m) != 0) {
          split(lo, lo | m, out);
          split((lo | m) + 1, hi, out);
          return;
        }
        if ((hi & m) != m) {
          split(lo, (hi & ~m) - 1, out);
          split(hi & ~m, hi, out);
          return;
        }
      }
    }
    byte[] a = encode(lo);
    byte[] b = encode(hi);
    int[] seq = new int[2 * n];
    for (int i = 0; i < n; i++) {
      seq[2 * i] = a[i] & 0xFF;
      seq[2 * i + 1] = b[i] & 0xFF;
    }
    out.add(seq);
  }

  private static int length(int cp) {
    return cp <= 0x7F ? 1 : cp <= 0x7FF ? 2 : cp <= 0xFFFF ? 3 : 4;
  }

  static byte[] encode(int cp) {
    return new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }
}
