package dev.cairn.worker.structured.regex;

import java.util.List;

/** The parsed form of a regex: what {@link RegexParser} produces and {@link ByteNfa} compiles. */
public sealed interface RegexNode {

  /** One character out of a set. */
  record Chars(CharSet set) implements RegexNode {}

  /** The parts one after the other; empty matches the empty string. */
  record Concat(List<RegexNode> parts) implements RegexNode {}

  /** Any one of the alternatives. */
  record Alt(List<RegexNode> alternatives) implements RegexNode {}

  /** {@code body} repeated min..max times; max -1 is unbounded. */
  record Repeat(RegexNode body, int min, int max) implements RegexNode {}

  /** A literal string of code points. */
  static RegexNode literal(String text) {
    return new Concat(
        text.codePoints().mapToObj(cp -> (RegexNode) new Chars(CharSet.of(cp))).toList());
  }
}
