package dev.cairn.worker.structured.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rule of a {@link Grammar} as an automaton: per state, deterministic byte edges, epsilon
 * edges, call edges (callee rule, state to return to) and whether the rule may end there. State 0
 * is the start.
 *
 * <p>A counted rule ({@link #counted}, from {@link Expr.Counted}) is one unit's automaton, run
 * between {@link #minCount} and {@link #maxCount} times: state 0 is between units, its accepting
 * states end a unit, and the frames count the units, so a bound of thousands costs no states.
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

  /** A counted rule whose unit calls nothing: the mask walk steps through it by table lookup. */
  final boolean plainCounted;

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
    boolean plain = counted;
    for (int s = 0; s < epsilons.size(); s++) {
      plain &= epsilons.get(s).length == 0 && calls.get(s).length == 0;
    }
    this.plainCounted = plain;
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

  /**
   * The counted rule of {@code unit} (its automaton, state 0 its start and never entered again):
   * between min and max units, counted in the frames.
   */
  static RuleAutomaton counted(RuleAutomaton unit, int min, int max) {
    int n = unit.size();
    List<Boolean> acc = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      acc.add(unit.accepting[s]);
    }
    return new RuleAutomaton(
        unit.name,
        Arrays.asList(unit.byteNext),
        Arrays.asList(unit.epsilons),
        Arrays.asList(unit.calls),
        acc,
        true,
        min,
        max < 0 ? Frame.UNBOUNDED : max);
  }

  int size() {
    return accepting.length;
  }
}
