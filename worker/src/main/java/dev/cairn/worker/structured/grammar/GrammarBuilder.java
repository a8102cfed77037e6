package dev.cairn.worker.structured.grammar;

import dev.cairn.worker.structured.ConstraintException;
import dev.cairn.worker.structured.regex.ByteDfa;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a {@link Grammar}: declare rules (so they can call each other, recursively), define each
 * as an {@link Expr}, then {@link #build}, which compiles every rule to a deterministic automaton
 * and checks that the grammar is usable (every rule can complete; no rule re-enters itself without
 * consuming a byte).
 */
public final class GrammarBuilder {

  private final List<String> names = new ArrayList<>();
  private final List<Expr> bodies = new ArrayList<>();

  /** Reserves a rule; {@code name} appears in errors (a JSON pointer for schema rules). */
  public int declare(String name) {
    names.add(name);
    bodies.add(null);
    return names.size() - 1;
  }

  public void define(int rule, Expr body) {
    bodies.set(rule, body);
  }

  /** Declares and defines in one go. */
  public int rule(String name, Expr body) {
    int id = declare(name);
    define(id, body);
    return id;
  }

  public Grammar build(int root) {
    return build(root, true);
  }

  /**
   * Builds with each rule determinized ({@link RuleDeterminizer}), or, with {@code determinize}
   * false, with the Thompson automata as compiled: the same language, which tests compare.
   */
  Grammar build(int root, boolean determinize) {
    // Hidden rules made here are appended, and hoisted in turn (a counted unit may count too).
    for (int i = 0; i < names.size(); i++) {
      Expr body = bodies.get(i);
      if (body == null) {
        throw new IllegalStateException("rule " + names.get(i) + " declared but not defined");
      }
      bodies.set(
          i,
          body instanceof Expr.Counted c
              ? new Expr.Counted(hoistCounted(c.unit(), names.get(i)), c.min(), c.max())
              : hoistCounted(body, names.get(i)));
    }
    RuleAutomaton[] rules = new RuleAutomaton[names.size()];
    for (int i = 0; i < rules.length; i++) {
      Expr body = bodies.get(i);
      Expr compiled = body instanceof Expr.Counted c ? c.unit() : body;
      RuleAutomaton thompson = new RuleCompiler(names.get(i)).compile(compiled);
      RuleAutomaton rule = determinize ? RuleDeterminizer.determinize(thompson) : thompson;
      rules[i] =
          body instanceof Expr.Counted c ? RuleAutomaton.counted(rule, c.min(), c.max()) : rule;
    }
    GrammarChecks.check(rules, root);
    return new Grammar(rules, root);
  }

  /**
   * {@code e} with each {@link Expr.Counted} in it made a rule of its own and called: its counters
   * live in the frames, and a frame is a rule's.
   */
  private Expr hoistCounted(Expr e, String owner) {
    return switch (e) {
      case Expr.Counted c -> new Expr.Call(rule(owner + "#counted", c));
      case Expr.Seq q -> new Expr.Seq(q.parts().stream().map(p -> hoistCounted(p, owner)).toList());
      case Expr.Alt a ->
          new Expr.Alt(a.alternatives().stream().map(p -> hoistCounted(p, owner)).toList());
      case Expr.Repeat r -> new Expr.Repeat(hoistCounted(r.body(), owner), r.min(), r.max());
      case Expr.Bytes b -> b;
      case Expr.Dfa d -> d;
      case Expr.Call c -> c;
    };
  }

  /** Thompson-style compilation of one rule's expression into a {@link RuleAutomaton}. */
  private static final class RuleCompiler {
    private final String name;
    private final List<int[]> byteNext = new ArrayList<>();
    private final List<List<Integer>> eps = new ArrayList<>();
    private final List<List<Integer>> calls = new ArrayList<>();

    RuleCompiler(String name) {
      this.name = name;
    }

    RuleAutomaton compile(Expr body) {
      int start = newState();
      int[] f = build(body);
      eps.get(start).add(f[0]);
      List<Boolean> acc = new ArrayList<>();
      for (int s = 0; s < byteNext.size(); s++) {
        acc.add(s == f[1]);
      }
      return new RuleAutomaton(name, byteNext, toArrays(eps), toArrays(calls), acc);
    }

    private static List<int[]> toArrays(List<List<Integer>> lists) {
      return lists.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toList();
    }

    private int newState() {
      byteNext.add(null);
      eps.add(new ArrayList<>());
      calls.add(new ArrayList<>());
      return byteNext.size() - 1;
    }

    private int[] build(Expr e) {
      return switch (e) {
        case Expr.Bytes b -> bytes(b.bytes());
        case Expr.Dfa d -> dfa(d.dfa());
        case Expr.Call c -> call(c.rule());
        case Expr.Seq s -> seq(s.parts());
        case Expr.Alt a -> alt(a.alternatives());
        case Expr.Repeat r -> repeat(r.body(), r.min(), r.max());
        case Expr.Counted c -> throw new IllegalStateException("counted repeats are rules");
      };
    }

    private int[] bytes(byte[] bytes) {
      int in = newState();
      int at = in;
      for (byte b : bytes) {
        int to = newState();
        int[] row = new int[256];
        Arrays.fill(row, -1);
        row[b & 0xFF] = to;
        byteNext.set(at, row);
        at = to;
      }
      return new int[] {in, at};
    }

    private int[] dfa(ByteDfa dfa) {
      if (dfa.isEmpty()) {
        throw new ConstraintException("grammar", name, "a terminal matches nothing");
      }
      int base = byteNext.size();
      for (int s = 0; s < dfa.size(); s++) {
        newState();
      }
      int exit = newState();
      for (int s = 0; s < dfa.size(); s++) {
        int[] row = new int[256];
        boolean any = false;
        for (int b = 0; b < 256; b++) {
          int t = dfa.next(s, b);
          row[b] = t < 0 ? -1 : base + t;
          any |= t >= 0;
        }
        byteNext.set(base + s, any ? row : null);
        if (dfa.accepting(s)) {
          eps.get(base + s).add(exit);
        }
      }
      return new int[] {base, exit};
    }

    private int[] call(int rule) {
      int in = newState();
      int out = newState();
      calls.get(in).add(rule);
      calls.get(in).add(out);
      return new int[] {in, out};
    }

    private int[] seq(List<Expr> parts) {
      int in = newState();
      int at = in;
      for (Expr p : parts) {
        int[] f = build(p);
        eps.get(at).add(f[0]);
        at = f[1];
      }
      return new int[] {in, at};
    }

    private int[] alt(List<Expr> alternatives) {
      int in = newState();
      int out = newState();
      for (Expr a : alternatives) {
        int[] f = build(a);
        eps.get(in).add(f[0]);
        eps.get(f[1]).add(out);
      }
      return new int[] {in, out};
    }

    private int[] repeat(Expr body, int min, int max) {
      int in = newState();
      int at = in;
      for (int i = 0; i < min; i++) {
        int[] f = build(body);
        eps.get(at).add(f[0]);
        at = f[1];
      }
      int out = newState();
      if (max < 0) {
        int[] f = build(body);
        eps.get(at).add(f[0]);
        eps.get(f[1]).add(at);
      } else {
        for (int i = min; i < max; i++) {
          int[] f = build(body);
          eps.get(at).add(out);
          eps.get(at).add(f[0]);
          at = f[1];
        }
      }
      eps.get(at).add(out);
      return new int[] {in, out};
    }
  }
}
