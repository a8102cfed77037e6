package dev.cairn.worker.structured.schema;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.grammar.Expr;
import dev.cairn.worker.structured.regex.ByteDfa;
import dev.cairn.worker.structured.regex.CharEncoding;
import dev.cairn.worker.structured.regex.CharSet;
import dev.cairn.worker.structured.regex.RegexNode;
import dev.cairn.worker.structured.regex.Regexes;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/** String and number schemas: their constraints become one byte DFA each. */
final class Scalars {

  private Scalars() {}

  /**
   * minLength/maxLength (code points), pattern (search semantics) and format are each compiled over
   * the JSON-escaped spelling of the value and intersected. Lengths alone are counted as the output
   * goes ({@link Expr.Counted}), so any bound compiles to one character's automaton; with a pattern
   * or format the length is part of their automaton, which caps it.
   */
  static Expr string(JsonNode schema, String path, JsonTerminals json) {
    if (!schema.has("minLength")
        && !schema.has("maxLength")
        && !schema.has("pattern")
        && !schema.has("format")) {
      return json.anyString();
    }
    int min = count(schema, "minLength", path, 0);
    int max = count(schema, "maxLength", path, -1);
    if (max >= 0 && min > max) {
      throw new ConstraintException(
          "minLength", path + "/minLength", "minLength exceeds maxLength");
    }
    if (!schema.has("pattern") && !schema.has("format")) {
      return json.stringOfLength(min, max);
    }
    RegexNode length = new RegexNode.Repeat(new RegexNode.Chars(CharSet.ANY), min, max);
    ByteDfa dfa = Regexes.of(length, CharEncoding.JSON_STRING, "maxLength", path + "/maxLength");
    String keyword = "maxLength";
    if (schema.has("pattern")) {
      keyword = "pattern";
      JsonNode p = schema.get("pattern");
      if (!p.isTextual()) {
        throw new ConstraintException("pattern", path + "/pattern", "pattern must be a string");
      }
      ByteDfa pattern =
          Regexes.compile(p.asText(), CharEncoding.JSON_STRING, true, "pattern", path + "/pattern");
      dfa = ByteDfa.intersect(dfa, pattern, "pattern", path + "/pattern");
    }
    if (schema.has("format")) {
      keyword = "format";
      String regex = StringFormats.PATTERNS.get(schema.get("format").asText());
      if (regex == null) {
        throw new ConstraintException(
            "format", path + "/format", "format " + schema.get("format") + " is not supported");
      }
      dfa =
          ByteDfa.intersect(
              dfa,
              Regexes.compile(regex, CharEncoding.JSON_STRING, false, "format", path),
              "format",
              path);
    }
    if (dfa.isEmpty()) {
      throw new ConstraintException(
          keyword, path + "/" + keyword, "no string satisfies the constraints");
    }
    return Expr.seq(Expr.text("\""), new Expr.Dfa(dfa), Expr.text("\""));
  }

  private static int count(JsonNode schema, String keyword, String path, int absent) {
    JsonNode n = schema.get(keyword);
    if (n == null) {
      return absent;
    }
    if (!n.canConvertToInt() || !n.isIntegralNumber() || n.intValue() < 0) {
      throw new ConstraintException(
          keyword, path + "/" + keyword, keyword + " must be a non-negative integer");
    }
    return n.intValue();
  }

  static Expr number(JsonNode schema, String path, boolean integer) {
    BigDecimal lo = bound(schema, "minimum", path);
    BigDecimal xlo = bound(schema, "exclusiveMinimum", path);
    BigDecimal hi = bound(schema, "maximum", path);
    BigDecimal xhi = bound(schema, "exclusiveMaximum", path);
    boolean loIncl = xlo == null || (lo != null && lo.compareTo(xlo) > 0);
    BigDecimal low = loIncl ? lo : xlo;
    boolean hiIncl = xhi == null || (hi != null && hi.compareTo(xhi) < 0);
    BigDecimal high = hiIncl ? hi : xhi;
    if (low == null && high == null) {
      return JsonTerminals.dfa(integer ? JsonTerminals.INTEGER : JsonTerminals.NUMBER);
    }
    String regex =
        integer
            ? NumberRanges.integers(
                low == null ? null : ceil(low, loIncl), high == null ? null : floor(high, hiIncl))
            : NumberRanges.decimals(low, loIncl, high, hiIncl);
    if (regex.isEmpty()) {
      throw new ConstraintException(
          "minimum", path + "/minimum", "no number lies within the bounds");
    }
    return new Expr.Dfa(Regexes.compile(regex, CharEncoding.RAW, false, "minimum", path));
  }

  private static BigInteger ceil(BigDecimal d, boolean inclusive) {
    BigInteger c = d.setScale(0, RoundingMode.CEILING).toBigInteger();
    return !inclusive && new BigDecimal(c).compareTo(d) == 0 ? c.add(BigInteger.ONE) : c;
  }

  private static BigInteger floor(BigDecimal d, boolean inclusive) {
    BigInteger f = d.setScale(0, RoundingMode.FLOOR).toBigInteger();
    return !inclusive && new BigDecimal(f).compareTo(d) == 0 ? f.subtract(BigInteger.ONE) : f;
  }

  private static BigDecimal bound(JsonNode schema, String keyword, String path) {
    JsonNode n = schema.get(keyword);
    if (n == null) {
      return null;
    }
    if (!n.isNumber()) {
      throw new ConstraintException(keyword, path + "/" + keyword, keyword + " must be a number");
    }
    if (n.decimalValue().abs().compareTo(new BigDecimal("1e300")) > 0) {
      throw new ConstraintException(keyword, path + "/" + keyword, keyword + " is out of range");
    }
    return n.decimalValue();
  }
}
