package dev.cairn.worker.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The API keys {@code /v1} accepts, each with the name its token usage is reported under. Read from
 * the Secret value in {@code CAIRN_API_KEY}: one {@code name:key} per line, a line without a colon
 * is a key named {@code default}; blank lines and lines starting with {@code #} are skipped. No
 * message and no {@link #toString} ever contains a key.
 */
public final class ApiKeys {
  /** The name of a key written without one (the one-key Secret of earlier releases). */
  public static final String DEFAULT_NAME = "default";

  /** No key configured: {@code /v1} is open. */
  public static final ApiKeys NONE = new ApiKeys(List.of());

  // A Prometheus label value that reads well on a dashboard and cannot be mistaken for a key part.
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}");

  /** One accepted key and its reporting name. */
  public record Entry(String name, String key) {
    @Override
    public String toString() {
      return name + ":<redacted>";
    }
  }

  private final List<Entry> entries;

  private ApiKeys(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /**
   * Parses the Secret value; {@code origin} names it in errors, which give line numbers, never
   * keys.
   *
   * @throws ConfigException on a bad name, an empty key, a name or key given twice, or no key
   */
  public static ApiKeys parse(String text, String origin) {
    List<Entry> entries = new ArrayList<>();
    Map<String, Integer> lineOfName = new HashMap<>();
    Map<String, Integer> lineOfKey = new HashMap<>();
    String[] lines = text.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int number = i + 1;
      Entry entry = entry(line, origin + " line " + number);
      Integer earlier = lineOfName.putIfAbsent(entry.name(), number);
      if (earlier != null) {
        throw new ConfigException(
            origin
                + " line "
                + number
                + ": key name \""
                + entry.name()
                + "\" is already used on line "
                + earlier
                + "; each name must be unique");
      }
      earlier = lineOfKey.putIfAbsent(entry.key(), number);
      if (earlier != null) {
        throw new ConfigException(
            origin
                + " line "
                + number
                + ": the key is the same as the one on line "
                + earlier
                + "; a key can have only one name");
      }
      entries.add(entry);
    }
    if (entries.isEmpty()) {
      // Set but holding only comments: leaving /v1 open would silently drop the intended auth.
      throw new ConfigException(origin + ": holds no key, only blank or comment lines");
    }
    return new ApiKeys(entries);
  }

  private static Entry entry(String line, String where) {
    int colon = line.indexOf(':');
    String name = colon < 0 ? DEFAULT_NAME : line.substring(0, colon).strip();
    String key = colon < 0 ? line : line.substring(colon + 1).strip();
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(
          where
              + ": key name \""
              + name
              + "\" must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or"
              + " digit");
    }
    if (key.isEmpty()) {
      throw new ConfigException(where + ": key \"" + name + "\" has an empty key after ':'");
    }
    if (key.chars().anyMatch(Character::isWhitespace)) {
      throw new ConfigException(where + ": key \"" + name + "\" contains whitespace");
    }
    return new Entry(name, key);
  }

  /** The keys in file order; empty when {@code /v1} is open. */
  public List<Entry> entries() {
    return entries;
  }

  /** The reporting names in file order. */
  public List<String> names() {
    return entries.stream().map(Entry::name).toList();
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }

  @Override
  public String toString() {
    return "ApiKeys" + names();
  }
}
