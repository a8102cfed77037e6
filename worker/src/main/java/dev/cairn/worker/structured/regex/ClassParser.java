package dev.cairn.worker.structured.regex;

/** Parses a bracketed character class for {@link RegexParser}: {@code [a-z\d_]}, {@code [^"]}. */
final class ClassParser {

  private final RegexParser p;

  ClassParser(RegexParser p) {
    this.p = p;
  }

  CharSet parseClass() {
    String src = p.source();
    int open = p.pos();
    p.pos(open + 1);
    boolean negated = p.peek('^');
    if (negated) {
      p.pos(p.pos() + 1);
    }
    CharSet set = CharSet.EMPTY;
    while (!p.peek(']')) {
      if (p.pos() >= src.length()) {
        p.pos(open);
        throw p.error("class", "unterminated character class");
      }
      set = set.union(parseItem());
    }
    p.pos(p.pos() + 1);
    return negated ? set.complement() : set;
  }

  /** One member: a character, a range {@code a-z}, or a class escape like {@code \d}. */
  private CharSet parseItem() {
    int start = p.pos();
    CharSet first = parseAtom();
    if (!p.peek('-')
        || p.pos() + 1 >= p.source().length()
        || p.source().charAt(p.pos() + 1) == ']') {
      return first;
    }
    p.pos(p.pos() + 1);
    CharSet last = parseAtom();
    if (!isSingle(first) || !isSingle(last)) {
      p.pos(start);
      throw p.error("class", "a range bound is a class escape");
    }
    if (first.lo(0) > last.lo(0)) {
      p.pos(start);
      throw p.error("class", "range out of order");
    }
    return CharSet.range(first.lo(0), last.lo(0));
  }

  private CharSet parseAtom() {
    if (p.peek('\\')) {
      return p.parseEscape(true);
    }
    if (p.source().startsWith("[:", p.pos()) || p.source().startsWith("[=", p.pos())) {
      throw p.error("class", "POSIX classes are not ECMA-262");
    }
    int cp = p.source().codePointAt(p.pos());
    p.pos(p.pos() + Character.charCount(cp));
    return CharSet.of(cp);
  }

  private static boolean isSingle(CharSet s) {
    return s.rangeCount() == 1 && s.lo(0) == s.hi(0);
  }
}
