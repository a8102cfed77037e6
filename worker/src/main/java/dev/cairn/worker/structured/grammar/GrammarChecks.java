package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.ConstraintException;
import java.util.ArrayDeque;
import java.util.BitSet;

/**
 * Rejects grammars the matcher cannot serve: a rule that can never complete (an unsatisfiable
 * schema, e.g. a required property that recurses forever) would let generation walk into a dead
 * end, and a rule that re-enters itself before consuming a byte would make the stack grow without
 * bound.
 */
final class GrammarChecks {

  private GrammarChecks() {}

  static void check(RuleAutomaton[] rules, int root) {
    BitSet productive = fixpoint(rules, false);
    BitSet reachable = reachable(rules, root);
    for (int r = reachable.nextSetBit(0); r >= 0; r = reachable.nextSetBit(r + 1)) {
      if (!productive.get(r)) {
        throw new ConstraintException(
            "$ref", rules[r].name, "this schema can never be completed (unsatisfiable or endless)");
      }
    }
    BitSet nullable = fixpoint(rules, true);
    for (int r = reachable.nextSetBit(0); r >= 0; r = reachable.nextSetBit(r + 1)) {
      if (rules[r].counted && unitCanEnd(rules[r], nullable, true)) {
        // A unit taking no byte would count without output: a bug in the code that built it.
        throw new IllegalStateException("counted rule " + rules[r].name + " has an empty unit");
      }
    }
    for (int r = reachable.nextSetBit(0); r >= 0; r = reachable.nextSetBit(r + 1)) {
      if (reentersWithoutInput(rules, nullable, r)) {
        throw new ConstraintException(
            "$ref", rules[r].name, "recursion that consumes no input (left recursion)");
      }
    }
  }

  /**
   * Rules that can reach their end: through any edge ({@code emptyOnly} false: productive), or
   * through epsilons and calls only ({@code emptyOnly} true: nullable).
   */
  private static BitSet fixpoint(RuleAutomaton[] rules, boolean emptyOnly) {
    BitSet done = new BitSet(rules.length);
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int r = 0; r < rules.length; r++) {
        if (!done.get(r) && canEnd(rules[r], done, emptyOnly)) {
          done.set(r);
          changed = true;
        }
      }
    }
    return done;
  }

  private static boolean canEnd(RuleAutomaton rule, BitSet done, boolean emptyOnly) {
    if (rule.counted && rule.minCount == 0) {
      return true; // no unit at all
    }
    // A counted rule needing units ends if a unit can (never without a byte: checked above).
    return unitCanEnd(rule, done, emptyOnly);
  }

  /** Whether the rule's automaton (a counted rule's: one unit) reaches an accepting state. */
  private static boolean unitCanEnd(RuleAutomaton rule, BitSet done, boolean emptyOnly) {
    BitSet seen = new BitSet(rule.size());
    ArrayDeque<Integer> work = new ArrayDeque<>();
    work.push(0);
    seen.set(0);
    while (!work.isEmpty()) {
      int s = work.pop();
      if (rule.accepting[s]) {
        return true;
      }
      for (int e : rule.epsilons[s]) {
        visit(e, seen, work);
      }
      for (int i = 0; i < rule.calls[s].length; i += 2) {
        if (done.get(rule.calls[s][i])) {
          visit(rule.calls[s][i + 1], seen, work);
        }
      }
      if (!emptyOnly && rule.byteNext[s] != null) {
        for (int t : rule.byteNext[s]) {
          if (t >= 0) {
            visit(t, seen, work);
          }
        }
      }
    }
    return false;
  }

  private static void visit(int s, BitSet seen, ArrayDeque<Integer> work) {
    if (!seen.get(s)) {
      seen.set(s);
      work.push(s);
    }
  }

  private static BitSet reachable(RuleAutomaton[] rules, int root) {
    BitSet seen = new BitSet(rules.length);
    ArrayDeque<Integer> work = new ArrayDeque<>();
    seen.set(root);
    work.push(root);
    while (!work.isEmpty()) {
      RuleAutomaton r = rules[work.pop()];
      for (int[] calls : r.calls) {
        for (int i = 0; i < calls.length; i += 2) {
          visit(calls[i], seen, work);
        }
      }
    }
    return seen;
  }

  /** Whether rule {@code r} can call itself (directly or not) before any byte is consumed. */
  private static boolean reentersWithoutInput(RuleAutomaton[] rules, BitSet nullable, int r) {
    BitSet rulesSeen = new BitSet(rules.length);
    ArrayDeque<Integer> ruleWork = new ArrayDeque<>();
    ruleWork.push(r);
    while (!ruleWork.isEmpty()) {
      RuleAutomaton rule = rules[ruleWork.pop()];
      BitSet seen = new BitSet(rule.size());
      ArrayDeque<Integer> work = new ArrayDeque<>();
      visit(0, seen, work);
      while (!work.isEmpty()) {
        int s = work.pop();
        for (int e : rule.epsilons[s]) {
          visit(e, seen, work);
        }
        for (int i = 0; i < rule.calls[s].length; i += 2) {
          int callee = rule.calls[s][i];
          if (callee == r) {
            return true;
          }
          if (!rulesSeen.get(callee)) {
            rulesSeen.set(callee);
            ruleWork.push(callee);
          }
          if (nullable.get(callee)) {
            visit(rule.calls[s][i + 1], seen, work);
          }
        }
      }
    }
    return false;
  }
}
