package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.regex.SortedStates;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Turns a rule's Thompson automaton into one without epsilon edges, deterministic over bytes (the
 * subset construction, with call edges kept as they are: they push at run time). The language is
 * unchanged; what changes is the cost of matching. A Thompson automaton joins every piece with
 * epsilons, so a terminal that may end at every position (a bounded string, a pattern such as
 * {@code [a-z]+}) has an epsilon to what follows at each: every position inside it is then a state
 * the token-mask walk must step through with a full closure per trie node (a second and more for
 * one mask of a 152k vocabulary, measured in {@code StructuredStreamsBench}). Determinized, those
 * positions are plain byte states, walked by table lookup.
 */
final class RuleDeterminizer {

  /**
   * Beyond this many states (or this many times the input's), the input is kept: the subset
   * construction can grow exponentially on contrived rules, and the Thompson automaton matches the
   * same language, only slower.
   */
  static final int MAX_STATES = 20_000;

  static final int MAX_GROWTH = 8;

  private final RuleAutomaton nfa;
  private final Map<SortedStates, Integer> ids = new HashMap<>();
  private final List<int[]> members = new ArrayList<>();
  private final ArrayDeque<Integer> work = new ArrayDeque<>();
  // The subset each single state closes to, once found: most targets are one state.
  private final int[] singleClosure;
  // Closures mark the states they reach with a fresh stamp instead of clearing a set.
  private final int[] stamp;
  private final int[] reached;
  private int epoch;

  private RuleDeterminizer(RuleAutomaton nfa) {
    this.nfa = nfa;
    this.singleClosure = new int[nfa.size()];
    Arrays.fill(singleClosure, -1);
    this.stamp = new int[nfa.size()];
    this.reached = new int[nfa.size()];
  }

  /** The deterministic equivalent of {@code nfa}, or {@code nfa} itself if that would be huge. */
  static RuleAutomaton determinize(RuleAutomaton nfa) {
    return nfa.counted ? nfa : new RuleDeterminizer(nfa).run();
  }

  private RuleAutomaton run() {
    int limit = Math.min(MAX_STATES, Math.max(64, nfa.size() * MAX_GROWTH));
    List<int[]> byteNext = new ArrayList<>();
    List<int[]> calls = new ArrayList<>();
    List<Boolean> accepting = new ArrayList<>();
    closureOf(0);
    while (!work.isEmpty()) {
      if (members.size() > limit) {
        return nfa;
      }
      int d = work.removeFirst();
      int[] set = members.get(d);
      while (byteNext.size() <= d) {
        byteNext.add(null);
        calls.add(null);
        accepting.add(false);
      }
      byteNext.set(d, row(set));
      calls.set(d, calls(set));
      boolean acc = false;
      for (int s : set) {
        acc |= nfa.accepting[s];
      }
      accepting.set(d, acc);
    }
    List<int[]> noEpsilons = new ArrayList<>();
    for (int d = 0; d < byteNext.size(); d++) {
      noEpsilons.add(new int[0]);
    }
    return new RuleAutomaton(nfa.name, byteNext, noEpsilons, calls, accepting);
  }

  /** Byte edges of a subset: per byte, the closure of every member's target; null if none. */
  private int[] row(int[] set) {
    int withRow = -1;
    int rows = 0;
    for (int s : set) {
      if (nfa.byteNext[s] != null) {
        withRow = s;
        rows++;
      }
    }
    if (rows == 0) {
      return null;
    }
    int[] row = new int[256];
    if (rows == 1) {
      // Most subsets: one byte state (a terminal's position, a literal's byte) and the epsilon
      // states around it.
      int[] next = nfa.byteNext[withRow];
      for (int b = 0; b < 256; b++) {
        row[b] = next[b] < 0 ? -1 : closureOf(next[b]);
      }
      return row;
    }
    // Each member's row read once, in order; per byte, its targets gathered in [b][0..count).
    int[] count = new int[256];
    int[][] targets = new int[256][];
    for (int s : set) {
      int[] next = nfa.byteNext[s];
      if (next == null) {
        continue;
      }
      for (int b = 0; b < 256; b++) {
        if (next[b] >= 0) {
          if (targets[b] == null) {
            targets[b] = new int[rows];
          }
          targets[b][count[b]++] = next[b];
        }
      }
    }
    Map<SortedStates, Integer> byTargets = new HashMap<>();
    for (int b = 0; b < 256; b++) {
      if (count[b] == 0) {
        row[b] = -1;
      } else if (count[b] == 1) {
        row[b] = closureOf(targets[b][0]);
      } else {
        SortedStates key = new SortedStates(sortedUnique(targets[b], count[b]));
        Integer d = byTargets.get(key);
        if (d == null) {
          d = stateOf(closure(key.states()));
          byTargets.put(key, d);
        }
        row[b] = d;
      }
    }
    return row;
  }

  /** Call edges of a subset, each returning to the subset its return state closes to. */
  private int[] calls(int[] set) {
    LinkedHashSet<Long> pairs = new LinkedHashSet<>();
    for (int s : set) {
      int[] c = nfa.calls[s];
      for (int i = 0; i < c.length; i += 2) {
        int ret = closureOf(c[i + 1]);
        pairs.add((long) c[i] << 32 | ret);
      }
    }
    int[] out = new int[pairs.size() * 2];
    int i = 0;
    for (long p : pairs) {
      out[i++] = (int) (p >>> 32);
      out[i++] = (int) p;
    }
    return out;
  }

  /** The subset state that {@code s}'s closure makes. */
  private int closureOf(int s) {
    if (singleClosure[s] < 0) {
      singleClosure[s] = stateOf(closure(new int[] {s}));
    }
    return singleClosure[s];
  }

  /** The states reachable from {@code start} through epsilons alone, sorted. */
  private int[] closure(int[] start) {
    epoch++;
    int n = 0;
    for (int s : start) {
      if (stamp[s] != epoch) {
        stamp[s] = epoch;
        reached[n++] = s;
      }
    }
    for (int i = 0; i < n; i++) {
      for (int e : nfa.epsilons[reached[i]]) {
        if (stamp[e] != epoch) {
          stamp[e] = epoch;
          reached[n++] = e;
        }
      }
    }
    int[] out = Arrays.copyOf(reached, n);
    Arrays.sort(out);
    return out;
  }

  private int stateOf(int[] set) {
    return ids.computeIfAbsent(
        new SortedStates(set),
        k -> {
          members.add(k.states());
          work.addLast(members.size() - 1);
          return members.size() - 1;
        });
  }

  private static int[] sortedUnique(int[] xs, int n) {
    return Arrays.stream(xs, 0, n).sorted().distinct().toArray();
  }
}
