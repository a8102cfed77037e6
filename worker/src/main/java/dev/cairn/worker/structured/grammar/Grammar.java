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
    c.add(entry(root, null));
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
        c.add(f.at(t));
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

  /** A frame entering {@code rule} from its start, with a counted rule's counters full. */
  Frame entry(int rule, Frame parent) {
    RuleAutomaton r = rules[rule];
    return r.counted
        ? new Frame(rule, 0, parent, r.minCount, r.maxCount)
        : new Frame(rule, 0, parent);
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
      if (r.counted) {
        expandCounted(f, r);
        return;
      }
      if (r.accepting[f.state]) {
        pop(f);
      }
      for (int e : r.epsilons[f.state]) {
        push(new Frame(f.rule, e, f.parent));
      }
      int[] calls = r.calls[f.state];
      for (int i = 0; i < calls.length; i += 2) {
        push(entry(calls[i], new Frame(f.rule, calls[i + 1], f.parent)));
      }
      if (r.byteNext[f.state] != null) {
        leaves.add(f);
      }
    }

    /**
     * A counted rule: between units (state 0) it may end once no unit is still needed, and start
     * another while one may still come; a unit's end takes one from each counter. Inside a unit it
     * is expanded as any rule, its frames keeping the counters.
     */
    private void expandCounted(Frame f, RuleAutomaton r) {
      if (f.state == 0) {
        if (f.toMin == 0) {
          pop(f);
        }
        if (f.toMax == 0) {
          return;
        }
      } else if (r.accepting[f.state]) {
        push(new Frame(f.rule, 0, f.parent, Frame.oneFewer(f.toMin), Frame.oneFewer(f.toMax)));
      }
      for (int e : r.epsilons[f.state]) {
        push(f.at(e));
      }
      int[] calls = r.calls[f.state];
      for (int i = 0; i < calls.length; i += 2) {
        push(entry(calls[i], f.at(calls[i + 1])));
      }
      if (r.byteNext[f.state] != null) {
        leaves.add(f);
      }
    }

    private void pop(Frame f) {
      if (f.parent == null) {
        complete = true;
      } else {
        push(f.parent);
      }
    }

    StackSet result() {
      return new StackSet(leaves, complete);
    }
  }
}
