package dev.cairn.worker.structured.regex;

import dev.cairn.worker.structured.ConstraintException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the ECMA-262 regex subset JSON Schema's {@code pattern} uses: literals, escapes, classes,
 * {@code .}, groups, alternation, greedy and lazy quantifiers, and {@code ^}/{@code $} at the ends
 * of top-level alternatives. Everything that a finite automaton cannot express (look-around,
 * back-references, word boundaries) or that Cairn does not model (flags, Unicode properties) is
 * refused with a {@link ConstraintException} naming the construct and its offset.
 */
public final class RegexParser {

  /** The largest repetition count; larger bounds would blow the automaton up. */
  static final int MAX_REPEAT = 1000;

  static final CharSet DIGIT = CharSet.range('0', '9');
  static final CharSet WORD = CharSet.ofRanges('0', '9', 'A', 'Z', '_', '_', 'a', 'z');
  static final CharSet SPACE =
      CharSet.ofRanges(
          '\t', '\r', ' ', ' ', 0xA0, 0xA0, 0x1680, 0x1680, 0x2000, 0x200A, 0x2028, 0x2029, 0x202F,
          0x202F, 0x205F, 0x205F, 0x3000, 0x3000, 0xFEFF, 0xFEFF);
  static final CharSet LINE_TERMINATORS = CharSet.ofRanges('\n', '\n', '\r', '\r', 0x2028, 0x2029);

  /** One top-level alternative and whether it was anchored at either end. */
  public record Branch(RegexNode node, boolean anchoredStart, boolean anchoredEnd) {}

  private final String src;
  private final String keyword;
  private int pos;

  private RegexParser(String src, String keyword) {
    this.src = src;
    this.keyword = keyword;
  }

  /**
   * @param keyword how errors name the source ({@code "pattern"}, {@code "guided_regex"})
   */
  public static List<Branch> parse(String regex, String keyword) {
    return new RegexParser(regex, keyword).parseTop();
  }

  private List<Branch> parseTop() {
    List<Branch> branches = new ArrayList<>();
    while (true) {
      branches.add(parseTopBranch());
      if (pos >= src.length()) {
        return branches;
      }
      if (src.charAt(pos) == ')') {
        throw error("group", "unbalanced ')'");
      }
      pos++; // '|'
    }
  }

  private Branch parseTopBranch() {
    boolean start = peek('^');
    if (start) {
      pos++;
    }
    List<RegexNode> parts = new ArrayList<>();
    boolean end = false;
    while (pos < src.length() && !peek('|') && !peek(')')) {
      if (peek('$')) {
        pos++;
        if (pos < src.length() && !peek('|')) {
          throw error("anchor", "'$' is supported only at the end of the pattern");
        }
        end = true;
        break;
      }
      parts.add(parseQuantified());
    }
    return new Branch(new RegexNode.Concat(parts), start, end);
  }

  private RegexNode parseAlternation() {
    List<RegexNode> alts = new ArrayList<>();
    alts.add(parseConcat());
    while (peek('|')) {
      pos++;
      alts.add(parseConcat());
    }
    return alts.size() == 1 ? alts.get(0) : new RegexNode.Alt(alts);
  }

  private RegexNode parseConcat() {
    List<RegexNode> parts = new ArrayList<>();
    while (pos < src.length() && !peek('|') && !peek(')')) {
      if (peek('^') || peek('$')) {
        throw error("anchor", "'^' and '$' are supported only at the ends of the pattern");
      }
      parts.add(parseQuantified());
    }
    return parts.size() == 1 ? parts.get(0) : new RegexNode.Concat(parts);
  }

  private RegexNode parseQuantified() {
    int atomStart = pos;
    RegexNode atom = parseAtom();
    int[] q = parseQuantifier();
    if (q == null) {
      return atom;
    }
    if (peek('?')) {
      pos++; // lazy: the same language
    }
    if (pos < src.length() && "*+?".indexOf(src.charAt(pos)) >= 0) {
      throw error("quantifier", "nothing to repeat (possessive or doubled quantifier)");
    }
    if (q[1] >= 0 && q[0] > q[1]) {
      throw error("quantifier", "numbers out of order in {} quantifier at offset " + atomStart);
    }
    return new RegexNode.Repeat(atom, q[0], q[1]);
  }

  /** Returns {min, max} (max -1 = unbounded) or null when no quantifier follows. */
  private int[] parseQuantifier() {
    if (pos >= src.length()) {
      return null;
    }
    switch (src.charAt(pos)) {
      case '*' -> {
        pos++;
        return new int[] {0, -1};
      }
      case '+' -> {
        pos++;
        return new int[] {1, -1};
      }
      case '?' -> {
        pos++;
        return new int[] {0, 1};
      }
      case '{' -> {
        return parseBraces();
      }
      default -> {
        return null;
      }
    }
  }

  /** {n}, {n,}, {n,m}; a '{' that does not start one is a literal (ECMA-262 Annex B). */
  private int[] parseBraces() {
    int save = pos;
    pos++;
    int min = parseNumber();
    if (min < 0) {
      pos = save;
      return null;
    }
    int max = min;
    if (peek(',')) {
      pos++;
      max = peek('}') ? -1 : parseNumber();
      if (max == -2 || (max < 0 && !peek('}'))) {
        pos = save;
        return null;
      }
    }
    if (!peek('}')) {
      pos = save;
      return null;
    }
    pos++;
    if (min > MAX_REPEAT || max > MAX_REPEAT) {
      throw error("quantifier", "repetition count above " + MAX_REPEAT);
    }
    return new int[] {min, max};
  }

  private int parseNumber() {
    int start = pos;
    while (pos < src.length() && Character.isDigit(src.charAt(pos)) && src.charAt(pos) < 128) {
      pos++;
    }
    if (pos == start) {
      return -2;
    }
    String digits = src.substring(start, pos);
    return digits.length() > 6 ? Integer.MAX_VALUE : Integer.parseInt(digits);
  }

  private RegexNode parseAtom() {
    char c = src.charAt(pos);
    switch (c) {
      case '(' -> {
        return parseGroup();
      }
      case '[' -> {
        return new RegexNode.Chars(new ClassParser(this).parseClass());
      }
      case '.' -> {
        pos++;
        return new RegexNode.Chars(LINE_TERMINATORS.complement());
      }
      case '\\' -> {
        return new RegexNode.Chars(parseEscape(false));
      }
      case '*', '+', '?' -> throw error("quantifier", "nothing to repeat");
      case '{' -> {
        if (parseBraces() != null) {
          throw error("quantifier", "nothing to repeat");
        }
        pos++;
        return new RegexNode.Chars(CharSet.of('{'));
      }
      default -> {
        int cp = src.codePointAt(pos);
        pos += Character.charCount(cp);
        return new RegexNode.Chars(CharSet.of(cp));
      }
    }
  }

  private RegexNode parseGroup() {
    int open = pos;
    pos++;
    if (peek('?')) {
      if (src.startsWith("?:", pos)) {
        pos += 2;
      } else if (src.startsWith("?=", pos) || src.startsWith("?!", pos)) {
        pos = open;
        throw error("look-ahead", "look-ahead assertions are not supported");
      } else if (src.startsWith("?<=", pos) || src.startsWith("?<!", pos)) {
        pos = open;
        throw error("look-behind", "look-behind assertions are not supported");
      } else if (src.startsWith("?<", pos)) {
        int close = src.indexOf('>', pos);
        if (close < 0) {
          throw error("named group", "unterminated group name");
        }
        pos = close + 1; // a named group matches like any other group
      } else {
        pos = open;
        throw error("group modifier", "inline flags and other (? forms are not supported");
      }
    }
    RegexNode inner = parseAlternation();
    if (!peek(')')) {
      pos = open;
      throw error("group", "unterminated group");
    }
    pos++;
    return inner;
  }

  /** Parses an escape at {@code pos} (a backslash); inside a class {@code \b} is backspace. */
  CharSet parseEscape(boolean inClass) {
    int at = pos;
    pos++;
    if (pos >= src.length()) {
      throw error("escape", "pattern ends with a backslash");
    }
    char c = src.charAt(pos++);
    return switch (c) {
      case 'd' -> DIGIT;
      case 'D' -> DIGIT.complement();
      case 'w' -> WORD;
      case 'W' -> WORD.complement();
      case 's' -> SPACE;
      case 'S' -> SPACE.complement();
      case 't' -> CharSet.of('\t');
      case 'n' -> CharSet.of('\n');
      case 'r' -> CharSet.of('\r');
      case 'f' -> CharSet.of('\f');
      case 'v' -> CharSet.of(0x0B);
      case 'b' -> {
        if (inClass) {
          yield CharSet.of('\b');
        }
        pos = at;
        throw error("word boundary", "\\b is not supported");
      }
      case 'B' -> {
        pos = at;
        throw error("word boundary", "\\B is not supported");
      }
      case '0' -> {
        if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
          pos = at;
          throw error("octal escape", "octal escapes are not supported");
        }
        yield CharSet.of(0);
      }
      case 'c' -> {
        char letter = pos < src.length() ? src.charAt(pos) : 0;
        if (!Character.isLetter(letter) || letter > 'z') {
          pos = at;
          throw error("escape", "\\c must be followed by a letter");
        }
        pos++;
        yield CharSet.of(letter % 32);
      }
      case 'x' -> CharSet.of(hex(2, at));
      case 'u' -> CharSet.of(unicodeEscape(at));
      case 'k' -> {
        pos = at;
        throw error("back-reference", "named back-references are not supported");
      }
      case 'p', 'P' -> {
        pos = at;
        throw error("unicode property escape", "\\p{...} is not supported");
      }
      default -> {
        if (c >= '1' && c <= '9') {
          pos = at;
          throw error("back-reference", "back-references are not supported");
        }
        if (Character.isLetterOrDigit(c)) {
          pos = at;
          throw error("escape", "unknown escape \\" + c);
        }
        yield CharSet.of(c);
      }
    };
  }

  private int unicodeEscape(int at) {
    if (peek('{')) {
      int close = src.indexOf('}', pos);
      if (close < 0) {
        pos = at;
        throw error("escape", "unterminated \\u{...}");
      }
      int cp = parseHex(src.substring(pos + 1, close), at);
      pos = close + 1;
      if (cp > CharSet.MAX) {
        pos = at;
        throw error("escape", "code point out of range");
      }
      return cp;
    }
    int unit = hex(4, at);
    // A surrogate pair written as two escapes is one code point.
    if (Character.isHighSurrogate((char) unit) && src.startsWith("\\u", pos)) {
      int save = pos;
      pos += 2;
      int low = hex(4, save);
      if (Character.isLowSurrogate((char) low)) {
        return Character.toCodePoint((char) unit, (char) low);
      }
      pos = save;
    }
    return unit;
  }

  private int hex(int digits, int at) {
    if (pos + digits > src.length()) {
      pos = at;
      throw error("escape", "incomplete hex escape");
    }
    int v = parseHex(src.substring(pos, pos + digits), at);
    pos += digits;
    return v;
  }

  private int parseHex(String s, int at) {
    if (s.isEmpty() || s.length() > 6 || !s.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      pos = at;
      throw error("escape", "invalid hex escape");
    }
    return Integer.parseInt(s, 16);
  }

  boolean peek(char c) {
    return pos < src.length() && src.charAt(pos) == c;
  }

  String source() {
    return src;
  }

  int pos() {
    return pos;
  }

  void pos(int p) {
    pos = p;
  }

  ConstraintException error(String construct, String message) {
    return new ConstraintException(
        construct, "offset " + pos, keyword + " regex /" + src + "/: " + message);
  }
}
