package dev.cairn.worker.structured.regex;

import dev.cairn.worker.structured.ConstraintException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deterministic automaton over bytes, trimmed: every state can still reach an accepting one, so a
 * matcher that follows it never walks into a dead end. State 0 is the start; -1 is "no transition".
 */
public final class ByteDfa {

  /** More states than this is refused as too complex (each state costs a 1 KiB table). */
  static final int MAX_STATES = 20_000;

  private final int[] next; // [state * 256 + byte] -> state or -1
  private final boolean[] accepting;

  private ByteDfa(int[] next, boolean[] accepting) {
    this.next = next;
    this.accepting = accepting;
  }

  public int size() {
    return accepting.length;
  }

  /** The state after {@code b} from {@code state}, or -1. */
  public int next(int state, int b) {
    return next[state * 256 + (b & 0xFF)];
  }

  public boolean accepting(int state) {
    return accepting[state];
  }

  /** True when no byte string is accepted. */
  public boolean isEmpty() {
    return accepting.length == 0;
  }

  /** Whether the whole byte string is accepted. */
  public boolean matches(byte[] bytes) {
    if (isEmpty()) {
      return false;
    }
    int s = 0;
    for (byte b : bytes) {
      s = next(s, b);
      if (s < 0) {
        return false;
      }
    }
    return accepting[s];
  }

  /**
   * Determinizes by subset construction over byte classes: bytes that every NFA edge treats alike
   * share one closure per DFA state (a JSON string's edges cut 0-255 into a few dozen classes), so
   * a state costs a closure per class, not per byte; subsets are keyed by their sorted states.
   */
  static ByteDfa of(ByteNfa nfa, String keyword, String path) {
    int[] cuts = byteClasses(nfa);
    int classes = cuts.length;
    int[] classOf = new int[256];
    for (int k = 0; k < classes; k++) {
      int hi = k + 1 < classes ? cuts[k + 1] : 256;
      Arrays.fill(classOf, cuts[k], hi, k);
    }
    Map<SortedStates, Integer> ids = new HashMap<>();
    List<int[]> sets = new ArrayList<>();
    List<int[]> rows = new ArrayList<>();
    Closures closures = new Closures(nfa);
    int[] first = closures.of(new int[] {nfa.start}, 1);
    ids.put(new SortedStates(first), 0);
    sets.add(first);
    // Per class, the NFA targets of the current DFA state: one pass over its states' edges.
    int[][] targets = new int[classes][4];
    int[] counts = new int[classes];
    for (int d = 0; d < sets.size(); d++) {
      Arrays.fill(counts, 0);
      for (int s : sets.get(d)) {
        for (int[] e : nfa.edges.get(s)) {
          for (int k = classOf[e[0]], last = classOf[e[1]]; k <= last; k++) {
            if (counts[k] == targets[k].length) {
              targets[k] = Arrays.copyOf(targets[k], counts[k] * 2);
            }
            targets[k][counts[k]++] = e[2];
          }
        }
      }
      int[] row = new int[classes]; // per byte class: trim widens to bytes once, for live states
      for (int k = 0; k < classes; k++) {
        int id = -1;
        if (counts[k] > 0) {
          int[] target = closures.of(targets[k], counts[k]);
          SortedStates key = new SortedStates(target);
          Integer known = ids.get(key);
          if (known == null) {
            known = sets.size();
            if (known >= MAX_STATES) {
              throw new ConstraintException(
                  keyword, path, "the automaton exceeds " + MAX_STATES + " states");
            }
            ids.put(key, known);
            sets.add(target);
          }
          id = known;
        }
        row[k] = id;
      }
      rows.add(row);
    }
    boolean[] acc = new boolean[sets.size()];
    for (int d = 0; d < acc.length; d++) {
      acc[d] = Arrays.binarySearch(sets.get(d), nfa.accept) >= 0;
    }
    return trim(rows, classOf, acc);
  }

  /** The first byte of each class: every edge's range starts at one and ends before the next. */
  private static int[] byteClasses(ByteNfa nfa) {
    boolean[] cut = new boolean[257];
    cut[0] = true;
    for (List<int[]> edges : nfa.edges) {
      for (int[] e : edges) {
        cut[e[0]] = true;
        cut[e[1] + 1] = true;
      }
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      n += cut[b] ? 1 : 0;
    }
    int[] cuts = new int[n];
    for (int b = 0, i = 0; b < 256; b++) {
      if (cut[b]) {
        cuts[i++] = b;
      }
    }
    return cuts;
  }

  /** The product automaton: strings both accept. */
  public static ByteDfa intersect(ByteDfa a, ByteDfa b, String keyword, String path) {
    if (a.isEmpty() || b.isEmpty()) {
      return new ByteDfa(new int[0], new boolean[0]);
    }
    Map<Long, Integer> ids = new HashMap<>();
    List<long[]> pairs = new ArrayList<>();
    List<int[]> rows = new ArrayList<>();
    ids.put(0L, 0);
    pairs.add(new long[] {0, 0});
    for (int d = 0; d < pairs.size(); d++) {
      int sa = (int) pairs.get(d)[0];
      int sb = (int) pairs.get(d)[1];
      int[] row = new int[256];
      for (int c = 0; c < 256; c++) {
        int ta = a.next(sa, c);
        int tb = ta < 0 ? -1 : b.next(sb, c);
        if (tb < 0) {
          row[c] = -1;
          continue;
        }
        long k = ((long) ta << 32) | tb;
        Integer id = ids.get(k);
        if (id == null) {
          id = pairs.size();
          if (id >= MAX_STATES) {
            throw new ConstraintException(
                keyword, path, "the automaton exceeds " + MAX_STATES + " states");
          }
          ids.put(k, id);
          pairs.add(new long[] {ta, tb});
        }
        row[c] = id;
      }
      rows.add(row);
    }
    boolean[] acc = new boolean[pairs.size()];
    for (int d = 0; d < acc.length; d++) {
      acc[d] = a.accepting((int) pairs.get(d)[0]) && b.accepting((int) pairs.get(d)[1]);
    }
    return trim(rows, BYTES, acc);
  }

  /** Each byte its own class. */
  private static final int[] BYTES = java.util.stream.IntStream.range(0, 256).toArray();

  /**
   * Drops states that cannot reach acceptance and renumbers the rest (start stays 0); a row holds a
   * target per class, {@code classOf} maps each byte to its class.
   */
  private static ByteDfa trim(List<int[]> rows, int[] classOf, boolean[] acc) {
    int n = acc.length;
    // Reverse edges as one array per state (counted, then filled): no boxing.
    int[] inDegree = new int[n];
    for (int[] row : rows) {
      for (int t : row) {
        if (t >= 0) {
          inDegree[t]++;
        }
      }
    }
    int[][] reverse = new int[n][];
    for (int t = 0; t < n; t++) {
      reverse[t] = new int[inDegree[t]];
    }
    int[] fill = new int[n];
    for (int s = 0; s < n; s++) {
      for (int t : rows.get(s)) {
        if (t >= 0) {
          reverse[t][fill[t]++] = s;
        }
      }
    }
    BitSet live = new BitSet(n);
    int[] work = new int[n];
    int top = 0;
    for (int s = 0; s < n; s++) {
      if (acc[s]) {
        live.set(s);
        work[top++] = s;
      }
    }
    while (top > 0) {
      for (int p : reverse[work[--top]]) {
        if (!live.get(p)) {
          live.set(p);
          work[top++] = p;
        }
      }
    }
    if (!live.get(0)) {
      return new ByteDfa(new int[0], new boolean[0]);
    }
    int[] renumber = new int[n];
    int count = 0;
    for (int s = 0; s < n; s++) {
      renumber[s] = live.get(s) ? count++ : -1;
    }
    int[] next = new int[count * 256];
    boolean[] accepting = new boolean[count];
    for (int s = 0; s < n; s++) {
      if (renumber[s] < 0) {
        continue;
      }
      accepting[renumber[s]] = acc[s];
      int[] row = rows.get(s);
      for (int c = 0; c < 256; c++) {
        int t = row[classOf[c]];
        next[renumber[s] * 256 + c] = t < 0 ? -1 : renumber[t];
      }
    }
    return new ByteDfa(next, accepting);
  }

  /**
   * Epsilon closures over one NFA with reused scratch: visited states are stamped rather than kept
   * in a fresh set, so a closure costs the states it reaches, not the NFA's size. (A fresh {@code
   * BitSet} per closure was most of a schema compile's allocation: a length-bounded string makes an
   * NFA of thousands of states and its DFA takes a closure per state and byte class.)
   */
  private static final class Closures {
    private final ByteNfa nfa;
    private final int[] stamps;
    private int stamp;
    private int[] stack = new int[16];
    private int[] reached = new int[16];

    Closures(ByteNfa nfa) {
      this.nfa = nfa;
      this.stamps = new int[nfa.size()];
    }

    /**
     * The closure of the first {@code n} seeds, sorted, kept to the states that tell subsets apart:
     * those with byte edges, and the accepting one.
     */
    int[] of(int[] seeds, int n) {
      stamp++;
      int top = 0;
      int count = 0;
      for (int i = 0; i < n; i++) {
        top = visit(seeds[i], top);
      }
      while (top > 0) {
        int s = stack[--top];
        if (s == nfa.accept || !nfa.edges.get(s).isEmpty()) {
          if (count == reached.length) {
            reached = Arrays.copyOf(reached, count * 2);
          }
          reached[count++] = s;
        }
        for (int t : nfa.epsilons.get(s)) {
          top = visit(t, top);
        }
      }
      int[] out = Arrays.copyOf(reached, count);
      Arrays.sort(out);
      return out;
    }

    private int visit(int s, int top) {
      if (stamps[s] != stamp) {
        stamps[s] = stamp;
        if (top == stack.length) {
          stack = Arrays.copyOf(stack, top * 2);
        }
        stack[top++] = s;
      }
      return top;
    }
  }
}
