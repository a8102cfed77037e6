package dev.cairn.worker.structured.regex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An immutable set of Unicode code points as sorted, disjoint, non-adjacent inclusive ranges. */
public final class CharSet {

  /** The highest code point. */
  public static final int MAX = 0x10FFFF;

  public static final CharSet EMPTY = new CharSet(new int[0]);
  public static final CharSet ANY = range(0, MAX);

  /** Pairs lo0, hi0, lo1, hi1, ... */
  private final int[] bounds;

  private CharSet(int[] bounds) {
    this.bounds = bounds;
  }

  public static CharSet of(int codePoint) {
    return range(codePoint, codePoint);
  }

  public static CharSet range(int lo, int hi) {
    return new CharSet(new int[] {lo, hi});
  }

  /** Builds a set from arbitrary (possibly overlapping) inclusive ranges given as pairs. */
  public static CharSet ofRanges(int... pairs) {
    int n = pairs.length / 2;
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      packed[i] = ((long) pairs[2 * i] << 32) | pairs[2 * i + 1];
    }
    Arrays.sort(packed);
    List<Integer> out = new ArrayList<>();
    for (long p : packed) {
      int lo = (int) (p >>> 32);
      int hi = (int) p;
      int last = out.size() - 1;
      if (last >= 0 && lo <= out.get(last) + 1) {
        out.set(last, Math.max(out.get(last), hi));
      } else {
        out.add(lo);
        out.add(hi);
      }
    }
    return new CharSet(out.stream().mapToInt(Integer::intValue).toArray());
  }

  public CharSet union(CharSet other) {
    int[] all = Arrays.copyOf(bounds, bounds.length + other.bounds.length);
    System.arraycopy(other.bounds, 0, all, bounds.length, other.bounds.length);
    return ofRanges(all);
  }

  public CharSet complement() {
    List<Integer> out = new ArrayList<>();
    int next = 0;
    for (int i = 0; i < bounds.length; i += 2) {
      if (bounds[i] > next) {
        out.add(next);
        out.add(bounds[i] - 1);
      }
      next = bounds[i + 1] + 1;
    }
    if (next <= MAX) {
      out.add(next);
      out.add(MAX);
    }
    return new CharSet(out.stream().mapToInt(Integer::intValue).toArray());
  }

  public CharSet minus(CharSet other) {
    return complement().union(other).complement();
  }

  public CharSet intersect(CharSet other) {
    return complement().union(other.complement()).complement();
  }

  public boolean contains(int codePoint) {
    for (int i = 0; i < bounds.length; i += 2) {
      if (codePoint >= bounds[i] && codePoint <= bounds[i + 1]) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return bounds.length == 0;
  }

  public int rangeCount() {
    return bounds.length / 2;
  }

  public int lo(int range) {
    return bounds[2 * range];
  }

  public int hi(int range) {
    return bounds[2 * range + 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CharSet c && Arrays.equals(bounds, c.bounds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bounds);
  }
}
