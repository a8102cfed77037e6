package dev.cairn.worker.engine.output;

import java.util.List;

/**
 * Finds stop strings in the growing completion text and says how much text is safe to stream: a
 * suffix that could still become a stop string is held back so no part of a match ever leaks.
 */
public final class StopStringMatcher {

  private final List<String> stops;
  private final int maxLen;

  public StopStringMatcher(List<String> stops) {
    this.stops = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
    this.maxLen = this.stops.stream().mapToInt(String::length).max().orElse(0);
  }

  /**
   * The start of the earliest stop-string match in {@code text} that ends after {@code newFrom}
   * (text before it was already checked), or -1.
   */
  public int findMatch(CharSequence text, int newFrom) {
    if (stops.isEmpty()) {
      return -1;
    }
    int from = Math.max(0, newFrom - maxLen + 1);
    String window = text.subSequence(from, text.length()).toString();
    int best = -1;
    for (String stop : stops) {
      int idx = window.indexOf(stop);
      if (idx >= 0 && (best < 0 || idx < best)) {
        best = idx;
      }
    }
    return best < 0 ? -1 : from + best;
  }

  /** The stop string that {@link #findMatch} found at {@code index}: the first listed that fits. */
  public String matchAt(CharSequence text, int index) {
    for (String stop : stops) {
      int end = index + stop.length();
      if (end <= text.length() && text.subSequence(index, end).toString().equals(stop)) {
        return stop;
      }
    }
    throw new IllegalArgumentException("no stop string at " + index);
  }

  /** Length of the longest suffix of {@code text} that is a proper prefix of some stop string. */
  public int holdBack(CharSequence text) {
    int longest = 0;
    for (String stop : stops) {
      int max = Math.min(stop.length() - 1, text.length());
      for (int k = max; k > longest; k--) {
        if (endsWith(text, stop, k)) {
          longest = k;
          break;
        }
      }
    }
    return longest;
  }

  private static boolean endsWith(CharSequence text, String stop, int k) {
    int start = text.length() - k;
    for (int i = 0; i < k; i++) {
      if (text.charAt(start + i) != stop.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
