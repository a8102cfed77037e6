package dev.cairn.worker.structured.regex;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How a matched character appears in the output bytes: as its own UTF-8 ({@link #RAW}, for
 * guided_regex), or as it is written inside a JSON string ({@link #JSON_STRING}, for JSON Schema
 * strings: the regex constrains the decoded value, the automaton the encoded text).
 */
public enum CharEncoding {
  RAW,
  /**
   * {@code "} and {@code \} as {@code \"} and {@code \\}; control characters as their short escape
   * ({@code \n}, ...) or {@code \}{@code u00XX}; everything else as raw UTF-8. One spelling per
   * character keeps the automaton small and every spelling valid JSON.
   */
  JSON_STRING;

  private static final CharSet NEEDS_ESCAPE = CharSet.ofRanges(0, 0x1F, '"', '"', '\\', '\\');

  /** Byte-range sequences (as in {@link Utf8Sequences}) covering exactly the set's encodings. */
  List<int[]> sequences(CharSet set) {
    if (this == RAW) {
      return Utf8Sequences.of(set);
    }
    List<int[]> out = new ArrayList<>(Utf8Sequences.of(set.minus(NEEDS_ESCAPE)));
    CharSet special = set.intersect(NEEDS_ESCAPE);
    for (int r = 0; r < special.rangeCount(); r++) {
      for (int c = special.lo(r); c <= special.hi(r); c++) {
        byte[] bytes = escape(c).getBytes(StandardCharsets.US_ASCII);
        int[] seq = new int[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
          seq[2 * i] = bytes[i];
          seq[2 * i + 1] = bytes[i];
        }
        out.add(seq);
      }
    }
    return out;
  }

  private static String escape(int c) {
    return switch (c) {
      case '"' -> "\\\"";
      case '\\' -> "\\\\";
      case '\b' -> "\\b";
      case '\t' -> "\\t";
      case '\n' -> "\\n";
      case '\f' -> "\\f";
      case '\r' -> "\\r";
      default -> String.format("\\u%04x", c);
    };
  }
}
