package dev.cairn.operator.autoscaler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the series of one metric from the Prometheus text exposition format (0.0.4, and the
 * OpenMetrics text it overlaps with): comments, labels with escaped quotes, NaN/±Inf and exponents.
 * Lines of other metrics are skipped without being parsed, so their oddities cannot fail a scrape.
 */
public final class PrometheusTextParser {
  // Go's strconv.ParseFloat forms that Prometheus emits; Java's parseDouble would also accept "1d".
  private static final Pattern FLOAT =
      Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

  /** One series: its labels and value. */
  public record Series(Map<String, String> labels, double value) {}

  private PrometheusTextParser() {}

  /**
   * Every series named exactly {@code metricName} in {@code text}.
   *
   * @throws MetricsFormatException when a line of that metric is malformed
   */
  public static List<Series> parse(String text, String metricName) {
    List<Series> out = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#") || !namedExactly(line, metricName)) {
        continue;
      }
      try {
        out.add(parseLine(line, metricName.length()));
      } catch (MetricsFormatException e) {
        throw new MetricsFormatException("line " + (i + 1) + ": " + e.getMessage());
      }
    }
    return out;
  }

  private static boolean namedExactly(String line, String name) {
    if (!line.startsWith(name)) {
      return false;
    }
    if (line.length() == name.length()) {
      return true;
    }
    char next = line.charAt(name.length());
    return next == '{' || next == ' ' || next == '\t';
  }

  private static Series parseLine(String line, int pos) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (pos < line.length() && line.charAt(pos) == '{') {
      pos = parseLabels(line, pos + 1, labels);
    }
    String[] rest = line.substring(pos).strip().split("[ \t]+");
    if (rest.length == 0 || rest[0].isEmpty()) {
      throw new MetricsFormatException("missing value");
    }
    if (rest.length > 2) {
      throw new MetricsFormatException("unexpected text after value and timestamp");
    }
    return new Series(Map.copyOf(labels), parseValue(rest[0]));
  }

  // Parses name="value" pairs after '{'; returns the index just after the closing '}'.
  private static int parseLabels(String line, int pos, Map<String, String> labels) {
    while (true) {
      pos = skipSpaces(line, pos);
      if (pos >= line.length()) {
        throw new MetricsFormatException("unterminated label set");
      }
      if (line.charAt(pos) == '}') {
        return pos + 1;
      }
      int eq = line.indexOf('=', pos);
      if (eq < 0) {
        throw new MetricsFormatException("label without '='");
      }
      String name = line.substring(pos, eq).strip();
      pos = skipSpaces(line, eq + 1);
      if (pos >= line.length() || line.charAt(pos) != '"') {
        throw new MetricsFormatException("label " + name + " value is not quoted");
      }
      StringBuilder value = new StringBuilder();
      pos = readQuoted(line, pos + 1, value);
      labels.put(name, value.toString());
      pos = skipSpaces(line, pos);
      if (pos < line.length() && line.charAt(pos) == ',') {
        pos++;
      }
    }
  }

  // Reads an escaped label value up to its closing quote; returns the index after the quote.
  private static int readQuoted(String line, int pos, StringBuilder value) {
    while (pos < line.length()) {
      char c = line.charAt(pos++);
      if (c == '"') {
        return pos;
      }
      if (c == '\\' && pos < line.length()) {
        char e = line.charAt(pos++);
        value.append(e == 'n' ? '\n' : e);
      } else {
        value.append(c);
      }
    }
    throw new MetricsFormatException("unterminated label value");
  }

  private static int skipSpaces(String line, int pos) {
    while (pos < line.length() && (line.charAt(pos) == ' ' || line.charAt(pos) == '\t')) {
      pos++;
    }
    return pos;
  }

  static double parseValue(String token) {
    switch (token) {
      case "NaN":
        return Double.NaN;
      case "+Inf", "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        if (!FLOAT.matcher(token).matches()) {
          throw new MetricsFormatException("not a number: " + token);
        }
        return Double.parseDouble(token);
    }
  }

  /** A metrics page that cannot be read; the pod then yields no sample. */
  public static final class MetricsFormatException extends RuntimeException {
    MetricsFormatException(String message) {
      super(message);
    }
  }
}
