package dev.cairn.worker.structured.grammar;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A context-free grammar over bytes as a recursive transition network ({@link RuleAutomaton} per
 * rule), run as a pushdown automaton over sets of shared stacks. Immutable and thread-safe; built
 * by {@link GrammarBuilder}.
 */
public final class Grammar {

  final RuleAutomaton[] rules;
  final int root;
  private final StackSet initial;

  Grammar(RuleAutomaton[] rules, int root) {
    this.rules = rules;
    this.root = root;
    Closure c = new Closure();
    c.add(new Frame(root, 0, null));
    this.initial = c.result();
  }

  /** The state before any byte. */
  public StackSet initial() {
    return initial;
  }

  /**
   * The state after byte {@code b}; not {@link StackSet#isAlive() alive} if {@code b} is refused.
   */
  public StackSet advance(StackSet from, int b) {
    Closure c = new Closure();
    for (Frame f : from.leaves) {
      int t = rules[f.rule].byteNext[f.state][b & 0xFF];
      if (t >= 0) {
        c.add(new Frame(f.rule, t, f.parent));
      }
    }
    return c.result();
  }

  /** The state after {@code bytes}, or null as soon as one is refused. */
  public StackSet advance(StackSet from, byte[] bytes) {
    StackSet s = from;
    for (byte b : bytes) {
      s = advance(s, b);
      if (!s.isAlive()) {
        return null;
      }
    }
    return s;
  }

  /** Whether the grammar accepts exactly these bytes. */
  public boolean matches(byte[] bytes) {
    StackSet s = advance(initial, bytes);
    return s != null && s.isComplete();
  }

  /**
   * The state reached by entering {@code frame}'s position: all leaves reachable without a byte.
   */
  StackSet closure(Frame frame) {
    Closure c = new Closure();
    c.add(frame);
    return c.result();
  }

  /** Epsilon closure: follows epsilons, calls (push) and rule ends (pop) until byte edges. */
  private final class Closure {
    private final Set<Frame> visited = new HashSet<>();
    private final Set<Frame> leaves = new LinkedHashSet<>();
    private final ArrayDeque<Frame> work = new ArrayDeque<>();
    private boolean complete;

    void add(Frame start) {
      push(start);
      while (!work.isEmpty()) {
        expand(work.pop());
      }
    }

    private void push(Frame f) {
      if (visited.add(f)) {
        work.push(f);
      }
    }

    private void expand(Frame f) {
      RuleAutomaton r = rules[f.rule];
      if (r.accepting[f.state]) {
        if (f.parent == null) {
          complete = true;
        } else {
          push(f.parent);
        }
      }
      for (int e : r.epsilons[f.state]) {
        push(new Frame(f.rule, e, f.parent));
      }
      int[] calls = r.calls[f.state];
      for (int i = 0; i < calls.length; i += 2) {
        push(new Frame(calls[i], 0, new Frame(f.rule, calls[i + 1], f.parent)));
      }
      if (r.byteNext[f.state] != null) {
        leaves.add(f);
      }
    }

    StackSet result() {
      return new StackSet(leaves, complete);
    }
  }
}
