package dev.cairn.worker.structured.grammar;

import java.util.List;

/**
 * One rule of a {@link Grammar} as an automaton: per state, deterministic byte edges, epsilon
 * edges, call edges (callee rule, state to return to) and whether the rule may end there. State 0
 * is the start.
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

  RuleAutomaton(
      String name,
      List<int[]> byteNext,
      List<int[]> epsilons,
      List<int[]> calls,
      List<Boolean> acc) {
    this.name = name;
    int n = byteNext.size();
    this.byteNext = byteNext.toArray(new int[n][]);
    this.epsilons = epsilons.toArray(new int[n][]);
    this.calls = calls.toArray(new int[n][]);
    this.accepting = new boolean[n];
    this.simple = new boolean[n];
    for (int s = 0; s < n; s++) {
      accepting[s] = acc.get(s);
      simple[s] =
          this.byteNext[s] != null
              && this.epsilons[s].length == 0
              && this.calls[s].length == 0
              && !accepting[s];
    }
  }

  int size() {
    return accepting.length;
  }
}
