package dev.cairn.worker.structured.regex;

import dev.cairn.worker.structured.ConstraintException;
import java.util.ArrayList;
import java.util.List;

/** Compiles ECMA-262-subset regexes into trimmed byte DFAs. */
public final class Regexes {

  private Regexes() {}

  /**
   * @param search JSON Schema {@code pattern} semantics: the pattern may match anywhere unless
   *     anchored; false means the whole text must match (guided_regex)
   * @param keyword names the source in errors; {@code path} is where it sits
   */
  public static ByteDfa compile(
      String regex, CharEncoding encoding, boolean search, String keyword, String path) {
    List<RegexNode> alternatives = new ArrayList<>();
    try {
      for (RegexParser.Branch b : RegexParser.parse(regex, keyword)) {
        alternatives.add(search ? unanchor(b) : b.node());
      }
    } catch (ConstraintException e) {
      throw new ConstraintException(
          e.keyword(), path.isEmpty() ? e.path() : path + " " + e.path(), e.getMessage());
    }
    return of(new RegexNode.Alt(alternatives), encoding, keyword, path);
  }

  /** Compiles a parsed node (full match). */
  public static ByteDfa of(RegexNode node, CharEncoding encoding, String keyword, String path) {
    return ByteDfa.of(ByteNfa.of(node, encoding), keyword, path);
  }

  private static RegexNode unanchor(RegexParser.Branch b) {
    RegexNode anything = new RegexNode.Repeat(new RegexNode.Chars(CharSet.ANY), 0, -1);
    List<RegexNode> parts = new ArrayList<>();
    if (!b.anchoredStart()) {
      parts.add(anything);
    }
    parts.add(b.node());
    if (!b.anchoredEnd()) {
      parts.add(anything);
    }
    return new RegexNode.Concat(parts);
  }
}
