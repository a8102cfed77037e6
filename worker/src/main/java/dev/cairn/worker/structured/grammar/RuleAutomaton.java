package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.regex.ByteDfa;
import java.util.ArrayList;
import java.util.List;

/**
 * One rule of a {@link Grammar} as an automaton: per state, deterministic byte edges, epsilon
 * edges, call edges (callee rule, state to return to) and whether the rule may end there. State 0
 * is the start.
 *
 * <p>A counted rule ({@link #counted}, from {@link Expr.Counted}) is one unit's automaton, run
 * between {@link #minCount} and {@link #maxCount} times: its accepting states end a unit, and the
 * frames count the units, so a bound of thousands costs no states.
 */
final class RuleAutomaton {

  final String name;
  final int[][] byteNext; // [state] -> int[256] (target or -1), or null
  final int[][] epsilons; // [state] -> targets
  final int[][] calls; // [state] -> {callee0, return0, callee1, return1, ...}
  final boolean[] accepting;

  /**
   * A state the matcher can step through without a stack: byte edges only, and the rule cannot end
   * there. Token-mask walks stay allocation-free while they pass through such states.
   */
  final boolean[] simple;

  final boolean counted;
  final int minCount;
  final int maxCount; // Frame.UNBOUNDED for no bound

  RuleAutomaton(
      String name,
      List<int[]> byteNext,
      List<int[]> epsilons,
      List<int[]> calls,
      List<Boolean> acc) {
    this(name, byteNext, epsilons, calls, acc, false, 0, 0);
  }

  private RuleAutomaton(
      String name,
      List<int[]> byteNext,
      List<int[]> epsilons,
      List<int[]> calls,
      List<Boolean> acc,
      boolean counted,
      int minCount,
      int maxCount) {
    this.name = name;
    this.counted = counted;
    this.minCount = minCount;
    this.maxCount = maxCount;
    int n = byteNext.size();
    this.byteNext = byteNext.toArray(new int[n][]);
    this.epsilons = epsilons.toArray(new int[n][]);
    this.calls = calls.toArray(new int[n][]);
    this.accepting = new boolean[n];
    this.simple = new boolean[n];
    for (int s = 0; s < n; s++) {
      accepting[s] = acc.get(s);
      // A counted rule's positions move its frame's counters, so the walk never skips them.
      simple[s] =
          !counted
              && this.byteNext[s] != null
              && this.epsilons[s].length == 0
              && this.calls[s].length == 0
              && !accepting[s];
    }
  }

  /** The counted rule of {@code c}: its unit's DFA as the automaton, state 0 its start. */
  static RuleAutomaton counted(String name, Expr.Counted c) {
    ByteDfa unit = c.unit();
    List<int[]> rows = new ArrayList<>();
    List<int[]> none = new ArrayList<>();
    List<Boolean> acc = new ArrayList<>();
    for (int s = 0; s < unit.size(); s++) {
      int[] row = new int[256];
      boolean any = false;
      for (int b = 0; b < 256; b++) {
        row[b] = unit.next(s, b);
        any |= row[b] >= 0;
      }
      rows.add(any ? row : null);
      none.add(new int[0]);
      acc.add(unit.accepting(s));
    }
    int max = c.max() < 0 ? Frame.UNBOUNDED : c.max();
    return new RuleAutomaton(name, rows, none, none, acc, true, c.min(), max);
  }

  int size() {
    return accepting.length;
  }
}
