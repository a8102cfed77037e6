package dev.cairn.worker.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed Prometheus text exposition (format 0.0.4): the families its {@code # TYPE} lines declare
 * and every sample with its labels, so tests can assert exact values.
 */
public final class MetricsText {
  /** One sample line: {@code name{labels} value}. */
  public record Sample(String name, Map<String, String> labels, double value) {}

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\S+)?$");
  private static final Pattern LABEL =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

  private final String text;
  private final Set<String> families = new TreeSet<>();
  private final List<Sample> samples = new ArrayList<>();

  private MetricsText(String text) {
    this.text = text;
  }

  /** Parses {@code text}; a line that is neither a comment nor a sample fails the parse. */
  public static MetricsText parse(String text) {
    MetricsText m = new MetricsText(text);
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("# TYPE ")) {
        m.families.add(line.split(" ")[2]);
      } else if (!line.startsWith("#")) {
        m.samples.add(sample(line));
      }
    }
    return m;
  }

  private static Sample sample(String line) {
    Matcher s = SAMPLE.matcher(line);
    if (!s.matches()) {
      throw new IllegalArgumentException("not a sample line: " + line);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (s.group(2) != null) {
      Matcher l = LABEL.matcher(s.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
    }
    return new Sample(s.group(1), labels, Double.parseDouble(s.group(3)));
  }

  /** The raw text. */
  public String text() {
    return text;
  }

  /** Family names from {@code # TYPE} lines starting with {@code prefix}. */
  public Set<String> families(String prefix) {
    Set<String> out = new TreeSet<>();
    for (String f : families) {
      if (f.startsWith(prefix)) {
        out.add(f);
      }
    }
    return out;
  }

  /** Every sample whose name starts with {@code prefix}. */
  public List<Sample> samples(String prefix) {
    return samples.stream().filter(s -> s.name().startsWith(prefix)).toList();
  }

  /**
   * The sum of the samples named {@code name} whose labels include all of {@code labels} (0 when
   * none match; use {@link #has} to tell absent from zero).
   */
  public double value(String name, Map<String, String> labels) {
    return matching(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  public double value(String name) {
    return value(name, Map.of());
  }

  /** Whether a sample named {@code name} with all of {@code labels} exists. */
  public boolean has(String name, Map<String, String> labels) {
    return !matching(name, labels).isEmpty();
  }

  private List<Sample> matching(String name, Map<String, String> labels) {
    return samples.stream()
        .filter(s -> s.name().equals(name))
        .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
        .toList();
  }
}
